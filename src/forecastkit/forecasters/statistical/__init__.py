"""The statsmodels family: ARIMA with a given order (:mod:`.arima`), automatic order
selection (:mod:`.auto_arima`, :mod:`.order_selection`), target transforms
(:mod:`.transforms`) and the SARIMAX plumbing they share (:mod:`._common`)."""
