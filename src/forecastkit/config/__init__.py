"""forecastkit.config"""
