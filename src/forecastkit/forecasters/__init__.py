"""forecastkit.forecasters"""
