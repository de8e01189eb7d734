"""Global (pooled) panel models: the three strategies, pooled windows that never cross
series, a one-series panel equal to the single-series reduction forecaster, static
features and the series id as inputs, and covariates that never leak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.backtest.panel_engine import PanelModel, SeriesBlock, Task, run_task
from forecastkit.backtest.panel_folds import FoldPlan
from forecastkit.backtest.panel_pooled import Member, PooledReduction
from forecastkit.errors import ConfigError
from forecastkit.forecasters.reduction import ReductionForecaster

STRATEGIES = ["recursive", "direct", "multi_output"]


def block(sid, values, past=None, known=None, static=()):
    values = np.asarray(values, float)
    times = pd.date_range("2020-01-01", periods=len(values), freq="MS")
    return SeriesBlock(sid, times, values, past, known, static)


def task(model, blocks, plan, future_h=0):
    return Task(model, tuple(blocks), plan, None, "MS", 0.9, future_h, 0, 1)


# --------------------------------------------------------------------------- pooled windows
class _Spy:
    """A regressor that records what it is fitted on and predicts zeros."""

    seen: list = []

    def fit(self, X, y):
        _Spy.seen.append((np.array(X), np.array(y).reshape(len(X), -1)))
        return self

    def predict(self, X):
        return np.zeros(len(X))


@settings(max_examples=30, deadline=None)
@given(lengths=st.lists(st.integers(1, 14), min_size=2, max_size=4), n_in=st.integers(1, 4),
       h=st.integers(1, 3), strategy=st.sampled_from(STRATEGIES))
def test_pooled_windows_equal_the_per_series_loop_and_never_cross_series(lengths, n_in, h, strategy):
    members = [Member(1000.0 * k + np.arange(n), np.empty((n, 0)), np.empty((n + h, 0)), np.array([k]))
               for k, n in enumerate(lengths)]
    _Spy.seen = []
    pooled = PooledReduction(strategy, lambda n_out: _Spy(), n_in, n_in)
    n_out = h if strategy == "multi_output" else 1
    if all(n < n_in + (1 if strategy == "recursive" else h) for n in lengths):
        with pytest.raises(Exception, match="no series has enough training rows"):
            pooled.fit(members, h)
        return
    pooled.fit(members, h)
    steps = [1] if strategy == "recursive" else list(range(1, h + 1)) if strategy == "direct" else [None]
    assert len(_Spy.seen) == len(steps)
    for (X, Y), s in zip(_Spy.seen, steps):
        xs, ys = [], []
        for k, n in enumerate(lengths):  # the reference: each series on its own
            y = 1000.0 * k + np.arange(n)
            if n < n_in + n_out:
                continue  # too short for the shared framing: not trained on
            last = n - n_in - (h if s is None else s)
            for i in range(last + 1):
                xs.append(np.r_[y[i: i + n_in], k])
                ys.append(y[i + n_in: i + n_in + h] if s is None else y[i + n_in + s - 1: i + n_in + s])
        np.testing.assert_array_equal(X, np.array(xs).reshape(-1, n_in + 1))
        np.testing.assert_array_equal(Y, np.array(ys).reshape(len(xs), -1))
        # no row mixes two series: lags and outputs lie in the range of the row's own series
        k = X[:, -1:]
        assert ((np.hstack([X[:, :-1], Y]) >= 1000 * k) & (np.hstack([X[:, :-1], Y]) < 1000 * (k + 1))).all()


# --------------------------------------------------------------------------- one series
def _one_series(seed=0, n=80):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, n + 6)
    f = rng.normal(0, 1, n + 6)
    y = -5 + np.sin(np.arange(n + 6) / 3) + 0.5 * np.r_[0, x[:-1]] + 0.8 * f + rng.normal(0, 0.1, n + 6)
    return y, x, f


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("regressor, covariates", [("ridge", False), ("ridge", True),
                                                   ("random_forest", True)])
def test_global_model_on_one_series_equals_the_single_series_reduction_forecaster(strategy, regressor, covariates):
    y, x, f = _one_series()
    n, h, origin = 80, 6, 74
    idx = pd.date_range("2020-01-01", periods=n + 6, freq="MS")
    params = {"regressor": regressor, "strategy": strategy, "n_in": 5}
    if regressor == "random_forest":
        params["regressor_params"] = {"n_estimators": 5}
    b = block("only", y[:n], x[:n, None] if covariates else None, f[:, None] if covariates else None)
    res = run_task(task(PanelModel("g", "ridge", {**params, "past_covariates_lags": 3} if covariates else params,
                                   "global"), [b], FoldPlan(h), future_h=h))
    # the single-series forecaster: standardised target (and covariates) fitted on the training rows
    single = ReductionForecaster(**params, scaler="standard", random_state=0,
                                 past_covariates_lags=3 if covariates else None,
                                 future_known=["f"] if covariates else None)
    X = pd.DataFrame({"x": x, "f": f}, index=idx) if covariates else None
    for start, end, got in ((0, origin, res.forecasts), (0, n, res.future)):
        single.fit(pd.DataFrame({"y": y[start:end]}, index=idx[start:end]),
                   X.iloc[start:end] if covariates else None)
        want = single.predict(h, X.iloc[end:end + h] if covariates else None)["y"].to_numpy()
        np.testing.assert_allclose(got["forecast"].to_numpy(), want, rtol=1e-7, atol=1e-7)


# --------------------------------------------------------------------------- statics and id
def _patterned(groups=("up", "down"), per_group=3, cycles=12):
    """Series whose standardised values repeat 0,1,2 ("up") or 2,1,0 ("down"): the same lag
    values, a different next value; only the category (or the id) tells them apart."""
    blocks, k = [], 0
    for g in groups:
        pattern = [0.0, 1.0, 2.0] if g == "up" else [2.0, 1.0, 0.0]
        for _ in range(per_group):
            values = 50 + 10 * np.array(pattern * cycles)[k % 3:][:3 * cycles - 3]
            blocks.append((f"{g}{k}", values, g))
            k += 1
    return blocks


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_static_category_lets_the_pooled_model_recover_both_groups(strategy):
    data = _patterned()
    params = {"regressor": "random_forest", "strategy": strategy, "n_in": 1,
              "regressor_params": {"n_estimators": 10}}
    plan = FoldPlan(3)
    with_cat = [block(s, v, static=(("kind", g),)) for s, v, g in data]
    res = run_task(task(PanelModel("g", "ridge", params, "global"), with_cat, plan))
    err = (res.forecasts["forecast"] - res.forecasts["actual"]).abs()
    np.testing.assert_allclose(err, 0, atol=1e-9)  # both groups continued exactly
    blind = run_task(task(PanelModel("g", "ridge", params, "global", covariates=False), with_cat, plan))
    assert (blind.forecasts["forecast"] - blind.forecasts["actual"]).abs().mean() > 3  # cannot tell them apart
    by_id = run_task(task(PanelModel("g", "ridge", {**params, "series_id_feature": "onehot"}, "global"),
                          [block(s, v) for s, v, _ in data], plan))
    np.testing.assert_allclose((by_id.forecasts["forecast"] - by_id.forecasts["actual"]).abs(), 0, atol=1e-9)
    id_only = run_task(task(PanelModel("g", "ridge", {**params, "series_id_feature": "ordinal"}, "global",
                                       covariates=False), with_cat, plan))  # the id, not the category
    np.testing.assert_allclose((id_only.forecasts["forecast"] - id_only.forecasts["actual"]).abs(), 0, atol=1e-9)


def test_numeric_statics_are_standardised_and_text_one_hot():
    from forecastkit.backtest.panel_global import static_inputs

    blocks = [block(s, np.arange(5.0), static=(("size", size), ("kind", kind)))
              for s, size, kind in (("a", 1, "x"), ("b", 3, "y"), ("c", 5, "x"))]
    values, names = static_inputs(blocks, "ordinal")
    assert names == ["size", "kind=x", "kind=y", "series_id"]
    np.testing.assert_allclose(values[:, 0], [-1.224744871, 0, 1.224744871])
    np.testing.assert_array_equal(values[:, 1:], [[1, 0, 0], [0, 1, 1], [1, 0, 2]])


# --------------------------------------------------------------------------- covariates
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_future_known_covariates_give_the_known_answer(strategy):
    rng = np.random.default_rng(1)
    blocks = []
    for k in range(4):  # y = 3 f (+ a series' own level): standardised, y and f coincide
        f = rng.normal(0, 1, 40)
        blocks.append(block(f"s{k}", 10 * k + 3 * f[:36], known=f[:, None]))
    params = {"strategy": strategy, "n_in": 2, "regressor_params": {"alpha": 1e-8}}
    res = run_task(task(PanelModel("g", "ridge", params, "global"), blocks, FoldPlan(4), future_h=4))
    np.testing.assert_allclose(res.forecasts["forecast"], res.forecasts["actual"], atol=1e-5)
    for b in blocks:
        want = 10 * int(b.sid[1:]) + 3 * b.known[36:, 0]
        np.testing.assert_allclose(res.future.loc[res.future.series_id == b.sid, "forecast"], want, atol=1e-5)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_covariates_after_the_origin_never_leak(strategy):
    rng = np.random.default_rng(2)
    n, origin, h = 30, 26, 4  # one fold: origin 26
    blocks = [block(s, 50 + rng.normal(0, 1, n).cumsum(), rng.normal(0, 1, (n, 2)), rng.normal(0, 1, (n, 1)))
              for s in "abc"]
    model = PanelModel("g", "ridge", {"strategy": strategy, "n_in": 3, "past_covariates_lags": 2}, "global")
    before = run_task(task(model, blocks, FoldPlan(h))).forecasts["forecast"].to_numpy()

    def changed(past=None, known=None):
        return [block(b.sid, b.values, b.past if past is None else past(b.past),
                      b.known if known is None else known(b.known)) for b in blocks]

    # past covariates after the origin, and future-known ones after the horizon: not read
    same = run_task(task(model, changed(past=lambda p: np.r_[p[:origin], p[origin:] * 100]), FoldPlan(h)))
    np.testing.assert_allclose(same.forecasts["forecast"], before)
    # future-known values over the horizon are known ahead: they are inputs
    moved = run_task(task(model, changed(known=lambda f: np.r_[f[:origin], f[origin:] + 5]), FoldPlan(h)))
    assert not np.allclose(moved.forecasts["forecast"], before)


def test_missing_future_covariate_values_fail_that_series_only():
    rng = np.random.default_rng(3)
    blocks = [block("a", rng.normal(0, 1, 30), known=rng.normal(0, 1, (33, 1))),
              block("b", rng.normal(0, 1, 30), known=rng.normal(0, 1, (30, 1)))]  # nothing ahead
    res = run_task(task(PanelModel("g", "ridge", {"n_in": 3}, "global"), blocks, FoldPlan(3), future_h=3))
    assert set(res.future["series_id"]) == {"a"} and len(res.forecasts) == 6
    assert any("series 'b'" in f and "no future-known covariate values" in f for f in res.failures)


@pytest.mark.parametrize("params, match", [
    ({"strategy": "sideways"}, r"strategy must be one of \['multi_output', 'recursive', 'direct'\], got 'sideways'"),
    ({"series_id_feature": "hash"}, r"series_id_feature must be one of"),
    ({"scaling": "none"}, r"scaling must be one of"),
])
def test_bad_global_values_are_one_line_config_errors(params, match):
    with pytest.raises(ConfigError, match=match):
        run_task(task(PanelModel("g", "ridge", params, "global"), [block("a", np.arange(30.0))], FoldPlan(3)))
