"""Keras (TensorFlow) neural forecasters.

Importing this package does not import TensorFlow: Keras is imported the first time
a network is built (or a saved forecaster loaded).
"""

from forecastkit.forecasters.neural.forecaster import NeuralForecaster

__all__ = ["NeuralForecaster"]
