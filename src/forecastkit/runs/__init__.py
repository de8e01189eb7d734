"""The run layer: what ``forecastkit run`` does, as a library.

- :mod:`.inputs`: the loaded :class:`Dataset`, models built with the run's
  :class:`ModelContext`, fold plans;
- :mod:`.loop`: every backtest and final refit (joblib over workers);
- :mod:`.future`: forecasts past the end (tidy tables, future covariates, saved models);
- :mod:`.state`: the resumable work directory; :mod:`.outputs`: the atomic run directory;
- :mod:`.meta`: ``run.json`` facts and the run fingerprint;
- :mod:`.api`: :func:`run`, the whole lifecycle in one call.
"""
