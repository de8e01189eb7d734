"""The panel side of ``forecastkit run`` and ``forecastkit forecast`` (configs with
``[data] series_id``): call the library, print the leaderboard or the forecasts."""

from __future__ import annotations

from pathlib import Path

import typer


def run_command(config: Path, output, *, jobs: int, force: bool, resume: bool, strict: bool, quiet: bool,
                no_plots: bool, no_intervals: bool, engine, address) -> None:
    """``forecastkit run`` on a panel config: backtest, print the aggregate leaderboard."""
    from forecastkit.runs.panel import run_panel

    result = run_panel(config, output, jobs=jobs, force=force, strict=strict, engine=engine, address=address,
                       plots=not no_plots, resume=resume, intervals=False if no_intervals else None)
    if not quiet:
        cols = ["model", "pooling", "n_series", "owa", "mean_smape", "mean_mase", "median_mase", "gmean_rel_mase",
                "beats_snaive", "coverage", "coverage_flag", "seconds"]
        board = result.leaderboard[cols]
        if not board["coverage_flag"].fillna("").astype(bool).any():
            board = board.drop(columns="coverage_flag")  # a column of blanks says nothing
        level = result.meta.get("level")
        if result.meta.get("intervals") is None:
            board = board.drop(columns="coverage")
        elif level:
            board = board.rename(columns={"coverage": f"coverage_{100 * level:.10g}"})
        typer.echo(board.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
        typer.echo(f"report: {Path(result.meta['output']) / 'report.html'}")
    if result.failures:
        typer.echo(f"warning: {len(result.failures)} per-series fit(s) failed, first: {result.failures[0]}", err=True)
        if strict:
            raise typer.Exit(1)


def best_of_last_run(config: Path) -> tuple[str, str]:
    """The first model of the last run's leaderboard (by OWA, else mean MASE) and why."""
    import pandas as pd

    from forecastkit.config.panel import load_panel_config
    from forecastkit.errors import ConfigError

    cfg = load_panel_config(config)
    board_file = Path("runs") / (cfg.name or "panel") / "leaderboard.csv"
    if not board_file.is_file():
        raise ConfigError(f"--model best needs a finished run: {board_file} not found; run `forecastkit run {config}`"
                          " first or name a model")
    board = pd.read_csv(board_file)
    if board.empty:
        raise ConfigError(f"{board_file} has no models")
    key = "owa" if board["owa"].notna().any() else "mean_mase"
    return str(board["model"].iloc[0]), f"best {key} ({board[key].iloc[0]:.4g}) in {board_file}"


def forecast_table(config: Path, model: str | None, *, horizon, level, jobs: int):
    """``forecastkit forecast`` on a panel config: every series' forecast past the end of
    its data (all the config's models, or ``model``), as ``run`` writes forecast.csv."""
    from forecastkit.runs.panel import forecast_panel

    if model == "best":
        from forecastkit.config.panel import load_panel_config

        if "best" not in [m.name for m in load_panel_config(config).models]:
            model, why = best_of_last_run(config)
            typer.echo(f"using {model}: {why}", err=True)
    return forecast_panel(config, [model] if model else None, horizon=horizon, level=level, jobs=jobs)
