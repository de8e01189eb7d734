"""forecastkit.cli"""
