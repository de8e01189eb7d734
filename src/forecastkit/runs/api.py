"""``run(config, ...)``: everything ``forecastkit run`` does, in one library call.

The lifecycle: load and validate the config, refuse to overwrite (or resume an
interrupted run), backtest and forecast (:func:`~forecastkit.runs.loop.run_experiment`),
score once, write the run directory atomically, drop the work directory. The CLI
only parses options, calls :func:`run` and prints.
"""

from __future__ import annotations

from pathlib import Path

from forecastkit.backtest.results import RunResult
from forecastkit.config.schema import RunConfig
from forecastkit.errors import DataError, ForecastkitError
from forecastkit.runs.loop import ProgressCallback


class ModelsFailedError(ForecastkitError):
    """Raised by ``run(..., strict=True)`` after writing the run when any model failed;
    ``result`` holds the run, ``failures`` one line per failure."""

    def __init__(self, result: RunResult):
        self.result = result
        self.failures = result.failures
        super().__init__(f"{len(self.failures)} model run(s) failed: {self.failures[0]}")


def default_output(cfg: RunConfig, config_path: Path | None = None) -> Path:
    """``runs/<config name>`` (the file's stem when the config has no name)."""
    stem = cfg.name or (config_path.stem if config_path is not None else "run")
    return Path("runs") / stem


def run(
    config: RunConfig | str | Path,
    output: str | Path | None = None,
    *,
    jobs: int = 1,
    resume: bool = False,
    force: bool = False,
    save_models: bool = False,
    strict: bool = False,
    progress: ProgressCallback | None = None,
    models: list[str] | None = None,
    plots: bool = True,
    intervals: bool | None = None,
) -> RunResult:
    """Backtest every model of ``config``, forecast past the end and write the report.

    Parameters
    ----------
    config : RunConfig, str or Path
        A validated config or the path of a TOML config.
    output : str or Path, optional
        The run directory (default ``runs/<config name>``).
    jobs : int
        Parallel workers (see :func:`~forecastkit.runs.loop.run_experiment`).
    resume : bool
        Continue an interrupted run of ``output``, reusing its finished folds.
    force : bool
        Replace an existing run directory (and any interrupted run of it).
    save_models : bool
        Save each model refitted on all the data into ``output/models/``.
    strict : bool
        Raise :class:`ModelsFailedError` (after writing the run) when any model failed.
    progress : callable, optional
        Receives :class:`~forecastkit.runs.loop.RunStarted` then
        :class:`~forecastkit.runs.loop.UnitsDone` events.
    models : list of str, optional
        Only these model names of the config.
    plots : bool
        Draw the PNG plots.
    intervals : bool, optional
        Override the config's ``[forecast] intervals`` (False: point forecasts only,
        no interval work and no interval columns anywhere).

    Returns
    -------
    RunResult
        With ``scores`` filled in and ``meta["output"]`` the run directory.
    """
    from forecastkit.backtest.metrics import score
    from forecastkit.config.schema import load_config
    from forecastkit.runs.loop import run_experiment
    from forecastkit.runs.meta import run_fingerprint
    from forecastkit.runs.outputs import prepare_output, write_run
    from forecastkit.runs.state import RunState

    from forecastkit.safety.limits import cap_jobs, check_data_source, check_horizon_memory
    from forecastkit.safety.locks import RunLock
    from forecastkit.safety.rundirs import clean_stale_siblings

    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise DataError(f"--jobs must be >= 1, got {jobs}")
    jobs = cap_jobs(jobs)
    path = None if isinstance(config, RunConfig) else Path(config)
    cfg = config if isinstance(config, RunConfig) else load_config(path)
    if intervals is not None:
        cfg = cfg.model_copy(update={"forecast": cfg.forecast.model_copy(update={"intervals": bool(intervals)})})
    check_data_source(cfg.data.path)
    check_data_source(cfg.forecast.covariates_path)
    horizons = [ev.horizon for ev in cfg.evaluations] + [cfg.forecast.horizon or 0]
    check_horizon_memory(max(horizons), len(cfg.data.target_list), "horizon")
    out = Path(output) if output is not None else default_output(cfg, path)
    prepare_output(out, force)  # fail before hours of work, not after
    selected = list(models) if models else None
    with RunLock(out):
        prepare_output(out, force)  # again: a run that held the lock may have just finished
        clean_stale_siblings(out)
        state = RunState.open(out, run_fingerprint(cfg, selected), resume=resume, force=force)
        result = run_experiment(cfg, jobs=jobs, progress=progress, models=selected, state=state,
                                save_models=save_models)
        result.scores = score(result)
        write_run(result, out, force=force, plots=plots, models_dir=state.models_dir if save_models else None)
        state.discard()
    result.meta["output"] = str(out)
    if strict and result.failures:
        raise ModelsFailedError(result)
    return result
