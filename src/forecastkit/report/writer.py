"""Write every output file of a run into a directory.

Each file is written under a temporary name and moved into place with
``os.replace``, so a reader never sees a half-written file. The caller (the run
command) writes into a temporary directory and renames it into place afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from forecastkit._io import atomic_write_text
from forecastkit._io import json_safe
from forecastkit.backtest.metrics import run_level, score
from forecastkit.backtest.results import FORECAST_COLUMNS, FUTURE_COLUMNS, RunResult
from forecastkit.errors import DataError
from forecastkit.report.html import render_html, render_markdown
from forecastkit.report.tables import display_frame, markdown_table


#: columns that exist only because of prediction intervals
INTERVAL_COLUMNS = ("lower", "upper", "coverage", "width", "winkler", "pinball", "coverage_flag")


def _to_csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, float_format="%.10g")


def _json(obj) -> str:
    return json.dumps(json_safe(obj), indent=2, allow_nan=False) + "\n"


def leaderboard_markdown(run: RunResult, board: pd.DataFrame) -> str:
    """``leaderboard.md``: one markdown table per evaluation scheme."""
    lines = [f"# Leaderboard: {run.name}", "", f"Sorted by {run.metric} within each evaluation.", ""]
    for evaluation in dict.fromkeys(board["evaluation"]):
        sub = board[board["evaluation"] == evaluation].reset_index(drop=True)
        lines += [f"## {evaluation}", "", markdown_table(display_frame(sub)), ""]
    return "\n".join(lines)


def audit_document(run: RunResult) -> dict:
    """The leakage audit per model and evaluation (``audit.json``)."""
    models = [{
        "model": mr.name, "type": mr.type, "evaluation": mr.evaluation,
        "leak_free": mr.leak_free if not mr.error else None, "error": mr.error,
        "folds": [a.to_dict() for a in mr.audit],
    } for mr in run.model_runs]
    audited = [m for m in models if m["folds"]]
    return {"run": run.name, "leak_free": all(m["leak_free"] for m in audited), "models": models}


def run_document(run: RunResult) -> dict:
    """``run.json``: run.meta plus name, seed, config, models and per-model timings."""
    doc = dict(run.meta)
    doc.update({
        "name": run.name, "seed": run.seed, "targets": list(run.targets), "metric": run.metric,
        "season_length": run.season_length, "config": run.config, "models": run.models,
        "model_timings": [{
            "model": mr.name, "type": mr.type, "evaluation": mr.evaluation,
            "fit_seconds": mr.fit_seconds, "predict_seconds": mr.predict_seconds, "error": mr.error,
        } for mr in run.model_runs],
    })
    return doc


def write_report(run: RunResult, out_dir: Path, *, plots: bool = True) -> list[Path]:
    """Write the run's tables, audit, plots and report pages into ``out_dir``.

    Parameters
    ----------
    run : RunResult
    out_dir : Path
        An existing directory (normally a temporary one the caller renames).
    plots : bool
        Draw the PNG plots (and embed them in ``report.html``).

    Returns
    -------
    list of Path
        Every file written.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise DataError(f"report directory {str(out_dir)!r} does not exist")
    scores = run.scores if run.scores is not None else score(run)
    board = scores.leaderboard
    written: list[Path] = []
    # `intervals = false`: no interval columns in any CSV (not columns of blanks)
    drop = [] if run_level(run) is not None else list(INTERVAL_COLUMNS)

    def _csv(df: pd.DataFrame) -> str:
        return _to_csv(df.drop(columns=[c for c in drop if c in df.columns]))

    def put(name: str, data: bytes | str) -> None:
        written.append(atomic_write_text(out_dir / name, data))

    put("leaderboard.csv", _csv(board))
    put("leaderboard.md", leaderboard_markdown(run, board.drop(columns=[c for c in drop if c in board.columns])))
    put("metrics_by_horizon.csv", _csv(scores.by_horizon))
    put("metrics_by_fold.csv", _csv(scores.by_fold))
    frames = [mr.forecasts for mr in run.model_runs if len(mr.forecasts)]
    backtest = pd.concat(frames, ignore_index=True)[FORECAST_COLUMNS] if frames else pd.DataFrame(columns=FORECAST_COLUMNS)
    put("backtest_forecasts.csv", _csv(backtest))
    future = run.future if run.future is not None else pd.DataFrame(columns=FUTURE_COLUMNS)
    put("forecast.csv", _csv(future))
    put("audit.json", _json(audit_document(run)))
    put("run.json", _json(run_document(run)))

    images: dict[str, bytes] = {}
    if plots:
        from forecastkit.report.plots import make_plots

        images = make_plots(run, scores)
        (out_dir / "plots").mkdir(exist_ok=True)
        for name, png in images.items():
            put(f"plots/{name}", png)
    put("report.html", render_html(run, scores, images))
    put("report.md", render_markdown(run, scores, list(images)))
    return written
