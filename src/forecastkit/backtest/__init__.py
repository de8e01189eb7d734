"""forecastkit.backtest"""
