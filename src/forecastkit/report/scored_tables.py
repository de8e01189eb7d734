"""Display versions of the scored tables: interval columns headed with their level,
MAPE shown as n/a where it is undefined, the coverage flag, future forecast values."""

from __future__ import annotations

import pandas as pd

from forecastkit.backtest.losses import mape_undefined
from forecastkit.backtest.metrics import run_level
from forecastkit.backtest.probabilistic import level_text, quantile_text
from forecastkit.backtest.results import RunResult
from forecastkit.report import tables as T


def level_headers(level: float | None) -> dict[str, str]:
    """Column renames that state the interval level in the header."""
    lv, q = level_text(level), quantile_text(level)
    return {"coverage": f"coverage ({lv})", "width": f"width ({lv})", "winkler": f"winkler ({lv})",
            "pinball": f"pinball ({q})", "coverage_flag": f"coverage flag ({lv})"}


def mape_na_targets(run: RunResult) -> list[str]:
    """Targets whose MAPE is n/a: the series touches or crosses zero."""
    return [t for t in run.targets if t in run.data and mape_undefined(run.data[t])]


def mape_note(run: RunResult) -> str | None:
    """The note under a table with n/a MAPE values."""
    bad = mape_na_targets(run)
    if not bad:
        return None
    spans = ", ".join(f"{t} (min {run.data[t].min():.4g}, max {run.data[t].max():.4g})" for t in bad)
    return (f"MAPE is n/a for {spans}: the series touches or crosses zero, where percentage errors divide by "
            "(near) zero and explode; use MAE, RMSE or MASE instead.")


def scored_display(run: RunResult, df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``display_frame`` of a leaderboard/horizon table with level headers and n/a MAPE."""
    shown = T.drop_empty_flags(T.mark_mape_na(T.display_frame(df, columns), df, mape_na_targets(run)))
    return shown.rename(columns=level_headers(run_level(run)))


def future_table(run: RunResult, target: str, models: list[str]) -> pd.DataFrame:
    """The future forecast of ``models`` (the first with its interval bounds) per timestamp."""
    fut = run.future
    if fut is None or fut.empty or not models:
        return pd.DataFrame()
    fut = fut[fut["target"] == target]
    models = [m for m in models if (fut["model"] == m).any()]
    if not models:
        return pd.DataFrame()
    lv = level_text(run_level(run))
    first = fut[fut["model"] == models[0]].sort_values("step")
    table = pd.DataFrame({"timestamp": first["timestamp"].to_numpy(), "step": first["step"].to_numpy()})
    table[models[0]] = first["forecast"].to_numpy(dtype=float)
    if first["lower"].notna().any():
        table[f"lower ({lv})"] = first["lower"].to_numpy(dtype=float)
        table[f"upper ({lv})"] = first["upper"].to_numpy(dtype=float)
    for m in models[1:]:
        other = fut[fut["model"] == m].set_index("step")["forecast"]
        table[m] = other.reindex(table["step"]).to_numpy(dtype=float)
    return table
