"""forecastkit.report"""
