"""forecastkit.data"""
