"""forecastkit.framing"""
