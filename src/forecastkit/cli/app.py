"""The ``forecastkit`` command line: parse options, call one library function, print.

Heavy libraries (pandas, statsmodels, TensorFlow) are imported inside the commands,
so ``forecastkit --help`` starts fast. Every input problem is printed as one line on
stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # plain click help: rendering it with rich imports ~100 ms of modules (rich.markdown,
    # pygments) before anything is printed; --help must start fast
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="forecastkit: multivariate, multi-step forecasting with honest backtests.",
)


def _flag(*names: str, help: str) -> typer.models.OptionInfo:
    """A boolean option shown as a bare flag (no ``<bool>`` value)."""
    return typer.Option(*names, help=help, metavar="")


def _show_version(value: bool) -> None:
    if value:
        import importlib.metadata as md

        try:
            version = md.version("forecastkit")
        except md.PackageNotFoundError:  # a source checkout without an install
            version = "unknown"
        typer.echo(f"forecastkit {version}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.", metavar="",
                                          callback=_show_version, is_eager=True)] = False,
) -> None:
    """forecastkit: multivariate, multi-step forecasting with honest backtests."""


def _fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def cli_errors(func):
    """Turn library errors into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import warnings

        from forecastkit.errors import ForecastkitError
        from forecastkit.safety.signals import interrupts_recorded, report

        def one_line(message, category, filename, lineno, file=None, line=None):
            typer.echo(f"warning: {str(message).splitlines()[0]}", err=True)

        try:
            with warnings.catch_warnings(), interrupts_recorded():
                warnings.simplefilter("default")
                # Third-party deprecation chatter is not the user's problem.
                warnings.filterwarnings("ignore", category=DeprecationWarning)
                warnings.filterwarnings("ignore", category=FutureWarning)
                # joblib's loky replaces a worker whose memory grew by more than its
                # threshold since its first task (e.g. after a large pooled fit); the
                # work goes on in a fresh worker with the same results
                warnings.filterwarnings("ignore", message="A worker stopped while some jobs were given",
                                        category=UserWarning)
                # joblib, when an interrupted run closes its pool: the error line says it all
                warnings.filterwarnings("ignore", message=r"\d+ tasks which were still being processed",
                                        category=UserWarning)
                warnings.showwarning = one_line
                return func(*args, **kwargs)
        except typer.Exit:
            raise
        except ForecastkitError as err:
            _fail(str(err).splitlines()[0] if str(err) else type(err).__name__)
        except OSError as err:
            where = f": {err.filename}" if err.filename else ""
            _fail(f"{err.strerror or err}{where}")
        except KeyboardInterrupt as err:  # Ctrl-C, or SIGTERM (safety.signals.Terminated)
            reason, code = report(err)
            hint = "; finished folds are kept: rerun with --resume to continue" if func.__name__ == "run" else ""
            _fail(f"{reason}{hint}", code=code)
        except Exception as err:  # an unexpected failure: still one line unless debugging
            if os.environ.get("FORECASTKIT_DEBUG"):
                raise
            _fail(f"unexpected {type(err).__name__}: {err} (set FORECASTKIT_DEBUG=1 for a traceback)", code=1)

    return wrapper


def _write_or_print(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from forecastkit._io import atomic_write_text
    from forecastkit.errors import DataError

    parent = output.parent
    if not parent.is_dir():
        raise DataError(f"cannot write {str(output)!r}: {str(parent)!r} is not a directory; choose another --output")
    try:
        atomic_write_text(output, text)
    except OSError as err:
        raise DataError(f"cannot write {str(output)!r}: {err.strerror or err}; choose another --output") from None
    typer.echo(f"wrote {output}", err=True)


# --------------------------------------------------------------------------- frame
@app.command()
@cli_errors
def frame(
    data: Annotated[str, typer.Argument(help="CSV path or shipped dataset name (e.g. airline-passengers).")],
    n_in: Annotated[int, typer.Option("--n-in", help="Input lags t-(n_in-1)..t per feature.")] = 1,
    n_out: Annotated[int, typer.Option("--n-out", help="Output steps t+1..t+n_out per target.")] = 1,
    target: Annotated[Optional[list[str]], typer.Option("--target", help="Target column (repeatable; default: all).")] = None,
    features: Annotated[Optional[list[str]], typer.Option("--features", help="Input column (repeatable; default: all).")] = None,
    time: Annotated[Optional[str], typer.Option("--time", help="Time column (detected when omitted).")] = None,
    onehot: Annotated[Optional[list[str]], typer.Option("--onehot", help="Categorical column to one-hot encode.")] = None,
    fill: Annotated[Optional[str], typer.Option("--fill", help="NaN/gap policy: interpolate, ffill, drop-leading.")] = None,
    resample: Annotated[Optional[str], typer.Option("--resample", help="Resample to a coarser frequency, e.g. D.")] = None,
    date_format: Annotated[Optional[str], typer.Option("--date-format", help="Format of the time column, e.g. %d/%m/%Y, or N-%m for year-number-month labels.")] = None,
    dayfirst: Annotated[Optional[bool], typer.Option("--dayfirst/--no-dayfirst", help="Read 01/02/2020 as 1 February (or as January 2).")] = None,
    decimal: Annotated[str, typer.Option("--decimal", help="Decimal mark of the numbers: . or ,")] = ".",
    thousands: Annotated[Optional[str], typer.Option("--thousands", help="Thousands separator of the numbers, e.g. , or .")] = None,
    timezone: Annotated[Optional[str], typer.Option("--timezone", help="Convert timestamps to this zone, e.g. Europe/Berlin.")] = None,
    keep_nan: Annotated[bool, _flag("--keep-nan", help="Keep edge rows with NaN (dropnan=False).")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="CSV file to write (default: stdout).")] = None,
) -> None:
    """Frame a series as a supervised table (lags in, horizons out) and write it as CSV."""
    from forecastkit.data.loader import load_data
    from forecastkit.errors import DataError
    from forecastkit.framing.supervised import series_to_supervised

    from forecastkit.safety.limits import check_data_source

    check_data_source(data)
    if n_in < 1:
        raise DataError(f"--n-in must be >= 1, got {n_in}")
    if n_out < 1:
        raise DataError(f"--n-out must be >= 1, got {n_out}")
    wanted_targets = list(target) if target else None
    wanted_features = list(features) if features else None
    df = load_data(
        data,
        time=time,
        targets=wanted_targets,
        features=[f for f in (wanted_features or []) if f not in (wanted_targets or [])] or None,
        onehot=list(onehot) if onehot else False,
        fill=fill,
        resample=resample,
        date_format=date_format,
        dayfirst=dayfirst,
        decimal=decimal,
        thousands=thousands,
        timezone=timezone,
    )
    if wanted_features:
        feats = [c for c in df.columns if c in wanted_features or any(c.startswith(f"{f}_") for f in wanted_features)]
    else:
        feats = None
    table = series_to_supervised(df, n_in=n_in, n_out=n_out, targets=wanted_targets, dropnan=not keep_nan, features=feats)
    _write_or_print(table.to_csv(), output)


# --------------------------------------------------------------------------- datasets / models
@app.command()
@cli_errors
def datasets() -> None:
    """List the shipped datasets (name, rows, columns, frequency, span)."""
    from forecastkit.data.datasets import list_datasets

    table = list_datasets()
    typer.echo(table.to_string(index=False))


@app.command()
@cli_errors
def models(
    type_name: Annotated[Optional[str], typer.Argument(metavar="[TYPE]", help="A model type, e.g. arima.")] = None,
) -> None:
    """List the model types (one line each), or one TYPE's parameters."""
    from forecastkit.forecasters.describe import describe_parameters
    from forecastkit.forecasters.registry import REGISTRY, get_entry

    if type_name is None:
        width = max(len(name) for name in REGISTRY)
        for name, entry in REGISTRY.items():
            typer.echo(f"{name:{width}s}  {entry.summary}")
        return
    entry = get_entry(type_name)
    typer.echo(f"{type_name}: {entry.summary}")
    for line in describe_parameters(type_name):
        typer.echo(line)


# --------------------------------------------------------------------------- run / forecast
@app.command()
@cli_errors
def run(
    config: Annotated[Path, typer.Argument(help="TOML config, e.g. configs/airline.toml.")],
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Run directory (default runs/<config-name>).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel workers over models.")] = 1,
    force: Annotated[bool, _flag("--force", help="Replace an existing run directory.")] = False,
    resume: Annotated[bool, _flag("--resume", help="Continue an interrupted run, reusing finished folds.")] = False,
    save_models: Annotated[bool, _flag("--save-models", help="Save each model refitted on all data to DIR/models/.")] = False,
    strict: Annotated[bool, _flag("--strict", help="Exit 1 when any model failed.")] = False,
    quiet: Annotated[bool, _flag("--quiet", "-q", help="No progress bar or summary.")] = False,
    model: Annotated[Optional[list[str]], typer.Option("--model", "-m", help="Only these model names (repeatable).")] = None,
    no_plots: Annotated[bool, _flag("--no-plots", help="Skip PNG plots (faster).")] = False,
    no_intervals: Annotated[bool, _flag("--no-intervals", help="Point forecasts only: no prediction intervals (faster).")] = False,
    engine: Annotated[Optional[str], typer.Option("--engine", help="Panels: joblib or dask (default: the config's).")] = None,
    address: Annotated[Optional[str], typer.Option("--address", help="Panels with --engine dask: scheduler address (default: a LocalCluster).")] = None,
) -> None:
    """Backtest every model of CONFIG against naive baselines and write a report."""
    from forecastkit.config.panel import is_panel_config

    if is_panel_config(config):  # [data] series_id: many series
        from forecastkit.cli.panel import run_command

        run_command(config, output, jobs=jobs, force=force, resume=resume, strict=strict, quiet=quiet,
                    no_plots=no_plots, no_intervals=no_intervals, engine=engine, address=address)
        return
    from forecastkit.runs.api import ModelsFailedError
    from forecastkit.runs.api import run as run_config

    failed = None
    with _progress(quiet) as progress:
        try:
            result = run_config(config, output, jobs=jobs, resume=resume, force=force, save_models=save_models,
                                strict=strict, progress=progress, models=list(model) if model else None,
                                plots=not no_plots, intervals=False if no_intervals else None)
        except ModelsFailedError as err:
            result, failed = err.result, err
    if not quiet:
        _summarise(result)
    for line in result.failures:
        typer.echo(f"warning: model {line}", err=True)
    if failed is not None:
        raise typer.Exit(1)


def _summarise(result) -> None:
    """The verdict, then the leaderboard, then where the report is."""
    from forecastkit.backtest.metrics import run_level
    from forecastkit.report.tables import format_leaderboard
    from forecastkit.report.scored_tables import mape_na_targets, mape_note
    from forecastkit.report.verdict import build_verdict

    typer.echo("Verdict:")
    for line in build_verdict(result, result.scores).lines():
        typer.echo(f"- {line}")
    typer.echo("")
    typer.echo(format_leaderboard(result.scores.leaderboard, level=run_level(result),
                                  mape_na=mape_na_targets(result)))
    note = mape_note(result)
    if note:
        typer.echo(note)
    typer.echo(f"report: {Path(result.meta['output']) / 'report.html'}")


class _progress:
    """A rich progress bar over (model x fold) units; silent when quiet or not a TTY."""

    def __init__(self, quiet: bool):
        self.quiet = quiet or not sys.stderr.isatty()
        self._bar = None

    def __enter__(self):
        if self.quiet:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(TextColumn("backtest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True)
        self._bar.start()
        self._task = self._bar.add_task("run", total=None)

        from forecastkit.runs.loop import RunStarted

        def update(event) -> None:
            if isinstance(event, RunStarted):
                self._bar.update(self._task, total=event.total)
            else:
                self._bar.advance(self._task, event.units)

        return update

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.stop()
        return False


@app.command()
@cli_errors
def forecast(
    config: Annotated[Optional[Path], typer.Argument(help="TOML config naming the data and models.")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="The config's model name to fit, or 'best' (the last run's best).")] = None,
    model_dir: Annotated[Optional[Path], typer.Option("--model-dir", help="A saved model (run --save-models): no refit.")] = None,
    data: Annotated[Optional[str], typer.Option("--data", help="New data to forecast from (with --model-dir).")] = None,
    future_covariates: Annotated[Optional[str], typer.Option("--future-covariates", help="CSV of future-known covariates.")] = None,
    horizon: Annotated[Optional[int], typer.Option("--horizon", "-H", help="Steps past the end of the data.")] = None,
    level: Annotated[Optional[float], typer.Option("--level", help="Interval level, e.g. 0.95.")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="CSV file (default: stdout).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Panels: parallel workers over series chunks.")] = 1,
) -> None:
    """Forecast past the end of the data (dates, value, lower, upper).

    Either CONFIG --model NAME (fit that model on all the data; CONFIG alone lists
    the names, --model best takes the best model of the config's last run), or
    --model-dir DIR --data NEW.csv (reload a saved model and forecast from new data
    without refitting). On a panel config ([data] series_id): every series' forecast
    (all models, or --model NAME), as `run` writes to forecast.csv.
    """
    from forecastkit.errors import DataError

    if horizon is not None and horizon < 1:
        raise DataError(f"--horizon must be >= 1, got {horizon}")
    from forecastkit.safety.limits import check_data_source, check_horizon_memory

    check_data_source(data)
    check_data_source(future_covariates)
    if horizon is not None:
        check_horizon_memory(horizon)
    if level is not None and not 0 < level < 1:
        raise DataError(f"--level must be in (0, 1), got {level}")
    if model_dir is not None:
        if config is not None or model is not None:
            raise DataError("give either CONFIG --model NAME or --model-dir DIR --data FILE, not both")
        if data is None:
            raise DataError("--model-dir needs --data NEW.csv: the data to forecast from")
        from forecastkit.runs.future import forecast_saved

        table = forecast_saved(model_dir, data, horizon=horizon, level=0.95 if level is None else level,
                               future_path=future_covariates)
    else:
        if config is None:
            raise DataError("give CONFIG --model NAME (or --model-dir DIR --data FILE for a saved model)")
        from forecastkit.config.panel import is_panel_config

        if is_panel_config(config):  # every series' forecast past the end (all models, or --model)
            from forecastkit.cli.panel import forecast_table

            table = forecast_table(config, model, horizon=horizon, level=level, jobs=jobs)
            _write_or_print(table.to_csv(index=False), output)
            return
        from forecastkit.config.schema import load_config
        from forecastkit.runs.future import best_model, forecast_one

        cfg = load_config(config)
        if model is None:
            typer.echo(f"{config} has these models; pick one with --model NAME (or --model best):")
            for m in cfg.models:
                typer.echo(f"  {m.name}  ({m.type})")
            return
        if model == "best" and "best" not in [m.name for m in cfg.models]:
            from forecastkit.runs.api import default_output

            model, why = best_model(cfg, default_output(cfg, config))
            typer.echo(f"using {model}: {why}", err=True)
        check_data_source(cfg.data.path)
        if horizon is not None:
            check_horizon_memory(horizon, len(cfg.data.target_list))
        table = forecast_one(cfg, model, horizon=horizon, level=level)
    _write_or_print(table.to_csv(index=False), output)


@app.command()
@cli_errors
def validate(config: Annotated[Path, typer.Argument(help="TOML config to check.")]) -> None:
    """Check a config (keys, types, model types, columns) without running it."""
    from forecastkit.config.panel import is_panel_config

    if is_panel_config(config):
        from forecastkit.config.panel import covariate_args, load_panel_config
        from forecastkit.data.panel_loader import load_panel

        cfg = load_panel_config(config)
        panel = load_panel(cfg.data.path, series_id=cfg.data.series_id, target=cfg.data.target,
                           time=cfg.data.time, freq=cfg.data.freq, season_length=cfg.data.season_length,
                           **covariate_args(cfg))
        typer.echo(f"{config}: OK (panel: {len(panel.series)} series, {len(panel.frame)} rows, "
                   f"{len(cfg.models)} models, horizon {cfg.evaluation.horizon})")
        return
    from forecastkit.config.schema import load_config
    from forecastkit.runs.inputs import load_run_data, plan_evaluations

    from forecastkit.safety.limits import check_data_source

    cfg = load_config(config)
    check_data_source(cfg.data.path)
    data = load_run_data(cfg)
    for ev, folds in plan_evaluations(cfg, data, cfg.models):
        typer.echo(f"evaluation {ev.name or ev.scheme}: {len(folds)} origin(s), horizon {ev.horizon}")
    typer.echo(f"{config}: OK ({len(cfg.models)} models, {len(data.frame)} rows)")


if __name__ == "__main__":  # pragma: no cover (the console script is forecastkit.cli:main)
    app()
