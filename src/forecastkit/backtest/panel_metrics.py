"""Per-series scores of a panel backtest and their aggregates across series.

Per series (over its folds; ``e = actual - forecast``, original units):

- ``smape`` = mean of ``200 |e| / (|y| + |f|)`` (the M3/M4 definition, in %);
- ``mase`` = mean over folds of ``mean |e| / scale``, ``scale`` the in-sample MAE
  of the seasonal naive forecast (season ``m``; ``m = 1`` when the fold's training
  part has ``m`` rows or fewer) on the rows before the fold's origin;
- ``mae``; ``coverage``: share of actuals inside the interval (NaN without one);
  ``n_intervals``: how many of its test values had one.

Across series, per model (only series every reference scored; ``n_series`` says
how many): ``mean_``/``median_`` ``mase`` and ``smape``; ``gmean_rel_mase``, the
geometric mean of ``mase / mase(seasonal naive)`` (series with a zero ratio on
either side left out); ``beats_snaive``, the share of series whose MASE is below
the seasonal naive's; ``owa`` = ``(mean sMAPE / mean sMAPE(naive2) + mean MASE /
mean MASE(naive2)) / 2``, the M4 overall weighted average; ``coverage_flag``, set as
for one series (:func:`forecastkit.backtest.probabilistic.coverage_flag`) when the
share of all the model's test values inside their intervals is more than 5 points off
the level and a binomial test rejects the level, the values of one series counting as
correlated outcomes (a series whose band is too narrow misses at all its folds). The
references (seasonal naive, naive2) are computed for every run, configured or not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

REF_SNAIVE = "_ref_seasonal_naive"
REF_NAIVE2 = "_ref_naive2"
SERIES_COLUMNS = ["model", "series_id", "n_folds", "mae", "smape", "mase", "coverage", "n_intervals"]
BOARD_COLUMNS = ["model", "type", "pooling", "n_series", "mean_mase", "median_mase", "mean_smape", "median_smape",
                 "gmean_rel_mase", "beats_snaive", "owa", "mae", "coverage", "coverage_flag", "failures", "seconds"]


def mase_scales(blocks, forecasts: pd.DataFrame, m: int) -> pd.DataFrame:
    """The MASE scale of each (series, fold) from the rows before the origin."""
    values = {b.sid: (b.times, b.values) for b in blocks}
    keys = forecasts[["series_id", "fold", "origin"]].drop_duplicates()
    out = []
    for sid, fold, origin in keys.itertuples(index=False):
        times, v = values[sid]
        train = v[: int(np.searchsorted(times.values, np.datetime64(origin), side="right"))]
        lag = m if len(train) > m else 1
        d = np.abs(train[lag:] - train[:-lag])
        out.append((sid, fold, float(d.mean()) if len(d) else np.nan))
    return pd.DataFrame(out, columns=["series_id", "fold", "scale"])


def series_scores(forecasts: pd.DataFrame, scales: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, series): see the module docstring."""
    f = forecasts.merge(scales, on=["series_id", "fold"], how="left")
    e = (f["actual"] - f["forecast"]).abs().astype(float)
    denom = (f["actual"].abs() + f["forecast"].abs()).astype(float)
    f = f.assign(
        ae=e,
        sm=np.where(denom > 0, 200 * e / denom.where(denom > 0, 1.0), 0.0),
        inside=np.where(f["lower"].notna(), ((f["actual"] >= f["lower"]) & (f["actual"] <= f["upper"])).astype(float),
                        np.nan),
    )
    per_fold = f.groupby(["model", "series_id", "fold"], sort=False).agg(
        mae=("ae", "mean"), smape=("sm", "mean"), scale=("scale", "first"), coverage=("inside", "mean"))
    per_fold["mase"] = per_fold["mae"] / per_fold["scale"].where(per_fold["scale"] > 0)
    out = per_fold.groupby(level=["model", "series_id"], sort=False).agg(
        n_folds=("mae", "size"), mae=("mae", "mean"), smape=("smape", "mean"), mase=("mase", "mean"),
        coverage=("coverage", "mean"))
    counts = f["inside"].notna().groupby([f["model"], f["series_id"]], sort=False).sum()
    out["n_intervals"] = counts.reindex(out.index).fillna(0).astype(int).to_numpy()
    return out.reset_index()[SERIES_COLUMNS]


def _coverage_flag(own: pd.DataFrame, level: float | None) -> str:
    """The coverage flag over every test value of ``own`` (one model's per-series rows)."""
    from forecastkit.backtest.probabilistic import clustered_count, coverage_flag

    if level is None or "n_intervals" not in own.columns:
        return ""
    ok = own["coverage"].notna() & (own["n_intervals"] > 0)
    sizes, rates = own.loc[ok, "n_intervals"].to_numpy(float), own.loc[ok, "coverage"].to_numpy(float)
    if not sizes.size:
        return ""
    pooled = float(np.sum(sizes * rates) / sizes.sum())
    return coverage_flag(pooled, int(sizes.sum()), level, clustered_count(sizes, rates))


def aggregate(by_series: pd.DataFrame, models: pd.DataFrame, level: float | None = None) -> pd.DataFrame:
    """The leaderboard: one row per model (``models`` has model, type, pooling, failures,
    seconds); ``level``: the intervals' level, for the coverage flag (None: no flag)."""
    wide = {k: by_series.pivot(index="series_id", columns="model", values=k) for k in ("mase", "smape")}
    common = wide["mase"].index
    for ref in (REF_SNAIVE, REF_NAIVE2):
        if ref in wide["mase"].columns:
            common = common[wide["mase"].loc[common, ref].notna().to_numpy()]
    rows = []
    for rec in models.itertuples(index=False):
        name = rec.model
        if name not in wide["mase"].columns:
            rows.append({**rec._asdict(), "n_series": 0})
            continue
        mase = wide["mase"].loc[common, name]
        smape = wide["smape"].loc[common, name]
        ok = mase.notna()
        mase, smape = mase[ok], smape[ok]
        own = by_series[(by_series["model"] == name) & by_series["series_id"].isin(mase.index)]
        row = {**rec._asdict(), "n_series": int(ok.sum()),
               "mean_mase": mase.mean(), "median_mase": mase.median(),
               "mean_smape": smape.mean(), "median_smape": smape.median(),
               "mae": own["mae"].mean(), "coverage": own["coverage"].mean(),
               "coverage_flag": _coverage_flag(own, level)}
        if REF_SNAIVE in wide["mase"].columns:
            ref = wide["mase"].loc[mase.index, REF_SNAIVE]
            ratio = (mase / ref).replace([np.inf, -np.inf], np.nan)
            ratio = ratio[(ratio > 0)]
            row["gmean_rel_mase"] = float(np.exp(np.log(ratio).mean())) if len(ratio) else np.nan
            row["beats_snaive"] = float((mase < ref).mean())
        if REF_NAIVE2 in wide["mase"].columns:
            n2m = wide["mase"].loc[mase.index, REF_NAIVE2].mean()
            n2s = wide["smape"].loc[mase.index, REF_NAIVE2].mean()
            row["owa"] = 0.5 * (smape.mean() / n2s + mase.mean() / n2m) if n2s > 0 and n2m > 0 else np.nan
        rows.append(row)
    board = pd.DataFrame(rows).reindex(columns=BOARD_COLUMNS)
    key = "owa" if board["owa"].notna().any() else "mean_mase"
    return board.sort_values(key, na_position="last", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class SeriesComparison:
    """Model ``a`` against ``b`` over the series both scored: the share where ``a`` has
    the lower MASE and a two-sided Wilcoxon signed-rank test of the paired differences."""

    a: str
    b: str
    n_series: int
    share_better: float
    p_value: float

    def sentence(self, alpha: float = 0.05) -> str:
        if self.n_series < 6 or not np.isfinite(self.p_value):
            return f"{self.a} vs {self.b}: too few series ({self.n_series}) to test the difference"
        p = "p < 0.001" if self.p_value < 0.001 else f"p = {self.p_value:.3f}"
        verdict = ("a significant difference" if self.p_value < alpha
                   else "not distinguishable (a tie over these series)")
        return (f"{self.a} vs {self.b}: lower MASE on {100 * self.share_better:.0f}% of {self.n_series} series, "
                f"Wilcoxon signed-rank {p}: {verdict}")


def compare_series(by_series: pd.DataFrame, a: str, b: str) -> SeriesComparison:
    """:class:`SeriesComparison` of models ``a`` and ``b`` on per-series MASE."""
    wide = by_series[by_series["model"].isin([a, b])].pivot_table(index="series_id", columns="model",
                                                                   values="mase", aggfunc="first")
    if a not in wide or b not in wide:
        return SeriesComparison(a, b, 0, float("nan"), float("nan"))
    d = (wide[a] - wide[b]).to_numpy(dtype=float)
    d = d[np.isfinite(d)]
    share = float((d < 0).mean()) if d.size else float("nan")
    if d.size < 6 or not np.any(d != 0):
        return SeriesComparison(a, b, int(d.size), share, 1.0 if d.size >= 6 else float("nan"))
    from scipy.stats import wilcoxon

    return SeriesComparison(a, b, int(d.size), share, float(wilcoxon(d, zero_method="wilcox").pvalue))
