"""The headline of a report: per evaluation and target, which model is best by the
config's metric, how much better than the baselines it is, and whether that advantage
is real (Diebold-Mariano tests on per-origin losses, a model confidence set).

:func:`build_verdict` returns typed records (:class:`Verdict`); their ``sentences``
are the text the report and the terminal show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecastkit.backtest.losses import BENCHMARKS, LOSS_OF_METRIC, mape_undefined, origin_losses
from forecastkit.backtest.metrics import point_metrics, run_level
from forecastkit.backtest.probabilistic import level_text
from forecastkit.backtest.results import RunResult
from forecastkit.backtest.significance import (
    DMResult, MCSResult, diebold_mariano, model_confidence_set, overlap_lags,
)
from forecastkit.report.tables import BASELINE_TYPES

#: significance level of the tests and of the model confidence set
ALPHA = 0.05
#: seed of the confidence set's bootstrap (a report is reproducible)
MCS_SEED = 0
MCS_DRAWS = 2000
#: fewer origins than this are too few for the confidence set's block bootstrap
MCS_MIN_ORIGINS = 20
_HIGHER_IS_BETTER = {"skill"}


@dataclass(frozen=True)
class Facts:
    """How an evaluation forecast: origins, horizon and the lags of its loss overlap."""

    n_origins: int
    horizon: int
    lags: int

    def describe(self) -> str:
        steps = "1 step ahead" if self.horizon == 1 else f"1-{self.horizon} steps ahead"
        return f"{steps} from {self.n_origins} origin{'s' if self.n_origins != 1 else ''}"


@dataclass(frozen=True)
class Comparison:
    """The best model against one other: the other's metric value and the DM test
    (``mean_difference`` < 0: the best model's losses are lower)."""

    other: str
    other_value: float
    test: DMResult

    @property
    def significant(self) -> bool:
        return self.test.testable and self.test.pvalue < ALPHA and self.test.mean_difference < 0


@dataclass(frozen=True)
class EvaluationVerdict:
    """The verdict for one evaluation and target."""

    evaluation: str
    target: str
    metric: str
    best: str
    best_value: float
    best_is_baseline: bool
    skill: float
    skill_snaive: float
    facts: Facts
    vs_baseline: Comparison | None
    vs_runner_up: Comparison | None
    mcs: MCSResult | None
    coverage_flags: tuple[tuple[str, str], ...]
    notes: tuple[str, ...] = ()

    def sentences(self) -> list[str]:
        """The verdict as plain sentences, the headline first."""
        m = self.metric.upper()
        target = f", {self.target}" if self.target else ""
        head = (f"{self.evaluation} ({self.facts.describe()}){target}: "
                + ("no model beats the baselines; the best is the baseline " if self.best_is_baseline else "best is ")
                + f"{self.best} ({m} {_num(self.best_value)}; skill vs seasonal naive {_num(self.skill_snaive, 2)}, "
                f"vs persistence {_num(self.skill, 2)}).")
        out = [head]
        same = (self.vs_baseline is not None and self.vs_runner_up is not None
                and self.vs_baseline.other == self.vs_runner_up.other)
        if self.vs_baseline is not None:
            out.append(_compare("the runner-up and best baseline" if same else "the best baseline", self,
                                self.vs_baseline))
        if self.vs_runner_up is not None and not same:
            out.append(_compare("the runner-up", self, self.vs_runner_up))
        if self.mcs is not None:
            inside, n = self.mcs.included, len(self.mcs.models)
            outside = [m for m in self.mcs.models if m not in inside]
            conf = f"{100 * (1 - self.mcs.alpha):.0f}% model confidence set"
            if len(inside) == 1:
                out.append(f"The {conf} holds {inside[0]} alone.")
            elif len(inside) <= n / 2:
                out.append(f"The {conf} (models not distinguishable from the best) holds {len(inside)} of {n}: "
                           f"{', '.join(inside)}.")
            else:
                out.append(f"The {conf} holds {len(inside)} of {n} models: all but "
                           + ", ".join(f"{m} ({p_is(self.mcs.pvalue(m))})" for m in outside) + ".")
        if self.coverage_flags:
            shown = [f"{m}{' (the best)' if m == self.best else ''} {flag.split(': ', 1)[-1].rsplit(' (', 1)[0]}"
                     for m, flag in self.coverage_flags]
            out.append(f"Interval coverage off its {_level_of(self.coverage_flags)} level: {'; '.join(shown)}.")
        if 0 < self.facts.n_origins < 10:
            out.append(f"With {self.facts.n_origins} origins the tests have little power: a tie here means "
                       "'not shown to differ', not 'equal'.")
        out.extend(self.notes)
        return out


@dataclass(frozen=True)
class Verdict:
    """The verdicts of a run and the sentences that reconcile its evaluations."""

    items: tuple[EvaluationVerdict, ...]
    reconcile: tuple[str, ...]
    level: float | None
    metric: str

    def primary(self, target: str, future_horizon: int | None = None) -> EvaluationVerdict | None:
        """The verdict to act on for ``target``: the evaluation whose horizon matches the
        future forecast's, else the one with the most origins."""
        mine = [v for v in self.items if v.target in ("", target)]
        if not mine:
            return None
        match = [v for v in mine if future_horizon is not None and v.facts.horizon == future_horizon]
        return match[0] if match else max(mine, key=lambda v: v.facts.n_origins)

    def lines(self) -> list[str]:
        """Every sentence, one paragraph per evaluation, then the reconciliation."""
        if not self.items:
            return ["No model produced forecasts to judge."]
        return [" ".join(item.sentences()) for item in self.items] + list(self.reconcile)


def _num(value: float, decimals: int | None = None) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if decimals is None:
        decimals = 1 if abs(value) >= 100 else 3 if abs(value) >= 1 else 4
    return f"{value:.{decimals}f}"


def _level_of(flags) -> str:
    return flags[0][1].rsplit("(", 1)[-1].rstrip(")") if flags else ""


def p_is(p: float) -> str:
    """``"p < 0.001"`` or ``"p = 0.52"``."""
    text = pvalue_text(p)
    return f"p {text}" if text.startswith("<") else f"p = {text}"


def pvalue_text(p: float) -> str:
    if not math.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if p < 0.01 else f"{p:.2f}"


def _compare(role: str, v: EvaluationVerdict, c: Comparison) -> str:
    m = v.metric.upper()
    other = f"{role} {c.other} ({m} {_num(c.other_value)})"
    t = c.test
    if not t.testable:
        return f"Against {other}: too few origins ({t.n}) to test the difference."
    if c.significant:
        return f"It beats {other} significantly (Diebold-Mariano {p_is(t.pvalue)}, {t.n} origins)."
    if t.pvalue < ALPHA:  # significant, but the other way round (possible on a different loss)
        return f"{c.other} has significantly lower losses ({p_is(t.pvalue)}) although it ranks below by {m}."
    return f"{v.best} and {c.other} are not distinguishable ({p_is(t.pvalue)}, {t.n} origins): a tie."


def ranking_metric(run: RunResult, target: str) -> str:
    """The config's metric, or MAE where MAPE is undefined for the target."""
    if run.metric == "mape" and target in run.data and mape_undefined(run.data[target]):
        return "mae"
    return run.metric


def evaluation_facts(run: RunResult, scored: pd.DataFrame, evaluation: str, target: str) -> Facts:
    sub = scored[(scored["evaluation"] == evaluation) & (scored["target"] == target)]
    if sub.empty:
        return Facts(0, 0, 0)
    origins = pd.Index(sub["origin"].drop_duplicates())
    pos = run.data.index.get_indexer(origins)
    horizon = int(sub["step"].max())
    return Facts(len(origins), horizon, overlap_lags(pos[pos >= 0], horizon))


def benchmark_value(scored: pd.DataFrame, column: str, metric: str) -> float:
    """The metric of a computed benchmark forecast (``naive`` or ``snaive``) on ``scored``'s rows."""
    m = "rmse" if metric == "skill" else metric
    return point_metrics(scored["actual"], scored[column], scale=scored["scale"])[m]


def ranked(board: pd.DataFrame, evaluation: str, target: str, metric: str) -> pd.DataFrame:
    """Successful models of one evaluation and target, best first by ``metric``."""
    sub = board[(board["evaluation"] == evaluation) & (board["target"] == target) & board["error"].isna()
                & (board["n_forecasts"] > 0)]
    sub = sub[np.isfinite(sub[metric].astype(float))]
    return sub.sort_values(metric, ascending=metric not in _HIGHER_IS_BETTER, kind="stable").reset_index(drop=True)


def _verdict_for(run: RunResult, scores: dict, evaluation: str, target: str) -> EvaluationVerdict | None:
    metric = ranking_metric(run, target)
    order = ranked(scores.leaderboard, evaluation, target, metric)
    if order.empty:
        return None
    scored = scores.scored
    facts = evaluation_facts(run, scored, evaluation, target)
    losses = origin_losses(scored, metric, evaluation, target)
    best = order.iloc[0]
    notes = []
    if metric != run.metric:
        notes.append(f"MAPE is n/a for {target} (the series touches or crosses zero), so models are ranked by MAE.")

    def compare(name: str, value: float) -> Comparison:
        return Comparison(name, value, diebold_mariano(losses[best["model"]], losses[name], lags=facts.lags))

    baselines = order[order["type"].isin(BASELINE_TYPES) & (order["model"] != best["model"])]
    is_baseline = best["type"] in BASELINE_TYPES
    vs_baseline = None
    if not is_baseline:
        if len(baselines):
            vs_baseline = compare(baselines.iloc[0]["model"], float(baselines.iloc[0][metric]))
        else:  # no baseline configured: the better computed one stands in
            rows = scored[(scored["evaluation"] == evaluation) & (scored["target"] == target)
                          & (scored["model"] == best["model"])]
            values = {label: benchmark_value(rows, col, metric) for col, label in BENCHMARKS.items()}
            label = min(values, key=lambda k: values[k] if math.isfinite(values[k]) else math.inf)
            vs_baseline = compare(label, values[label])
    vs_runner_up = compare(order.iloc[1]["model"], float(order.iloc[1][metric])) if len(order) > 1 else None
    mcs = None
    names = list(order["model"])
    if len(names) >= 3:
        table = losses[names].dropna()
        if len(table) >= MCS_MIN_ORIGINS:
            mcs = model_confidence_set(table.to_numpy(), names, alpha=ALPHA, block=max(facts.lags + 1, 2),
                                       n_boot=MCS_DRAWS, seed=MCS_SEED)
    flags = tuple((str(r["model"]), str(r["coverage_flag"])) for _, r in order.iterrows()
                  if isinstance(r.get("coverage_flag"), str) and r["coverage_flag"])
    flags = tuple(sorted(flags, key=lambda f: f[0] != best["model"]))
    loss = LOSS_OF_METRIC.get(metric, "squared error")
    notes.append(f"(Tests compare per-origin mean {loss}; {facts.lags} lag(s) of overlap allowed for.)")
    return EvaluationVerdict(
        evaluation=evaluation, target=target if len(run.targets) > 1 else "", metric=metric,
        best=str(best["model"]), best_value=float(best[metric]), best_is_baseline=is_baseline,
        skill=float(best["skill"]), skill_snaive=float(best["skill_snaive"]), facts=facts,
        vs_baseline=vs_baseline, vs_runner_up=vs_runner_up, mcs=mcs, coverage_flags=flags, notes=tuple(notes),
    )


def _reconcile(run: RunResult, items: list[EvaluationVerdict], target: str) -> list[str]:
    mine = [v for v in items if v.target == (target if len(run.targets) > 1 else "")]
    if len(mine) < 2:
        return []
    where = f" for {target}" if len(run.targets) > 1 else ""
    winners = {v.best for v in mine}
    if len(winners) == 1:
        return [f"The evaluations agree{where}: {mine[0].best} is best in all {len(mine)}."]
    picks = "; ".join(f"{v.evaluation} ({v.facts.describe()}) picks {v.best}" for v in mine)
    future = future_horizon(run)
    by_h = sorted(mine, key=lambda v: v.facts.horizon)
    answers = ", ".join(
        f"{v.evaluation} answers which model forecasts best "
        + ("one step ahead" if v.facts.horizon == 1 else f"over the next {v.facts.horizon} steps")
        for v in by_h
    )
    match = [v for v in mine if future is not None and v.facts.horizon == int(future)]
    if match:
        tail = f"; the future forecast is {int(future)} steps, so {match[0].evaluation} is the one to act on."
    else:
        most = max(mine, key=lambda v: v.facts.n_origins)
        tail = f"; {most.evaluation} rests on the most origins."
    return [f"The evaluations disagree{where}: {picks}. They answer different questions: {answers}{tail}"]


def build_verdict(run: RunResult, scores: dict) -> Verdict:
    """The run's verdict from its scores (the output of :func:`~forecastkit.backtest.metrics.score`)."""
    board = scores.leaderboard
    items: list[EvaluationVerdict] = []
    for evaluation in dict.fromkeys(board["evaluation"]):
        for target in run.targets:
            v = _verdict_for(run, scores, evaluation, target)
            if v is not None:
                items.append(v)
    reconcile = [s for t in run.targets for s in _reconcile(run, items, t)]
    return Verdict(tuple(items), tuple(reconcile), run_level(run), run.metric)


def level_caption(level: float | None) -> str:
    """``"95% intervals"``, for table headers and legends."""
    return f"{level_text(level)} intervals" if level is not None else "intervals"


def future_horizon(run: RunResult) -> int | None:
    """Steps of the run's future forecast (None without one)."""
    if run.future is None or not len(run.future):
        return None
    return int(run.future["step"].max())
