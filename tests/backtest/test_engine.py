"""The backtest engine: what every forecaster sees, update vs refit, intervals,
failures and the leakage audit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.engine import leak_free, run_backtest
from forecastkit.backtest.results import FORECAST_COLUMNS, FoldAudit
from forecastkit.backtest.splits import holdout_folds, rolling_folds
from forecastkit.forecasters.base import Forecaster


class Spy(Forecaster):
    """Forecasts the last value (+/- 1) and logs every call into the shared ``log``."""

    _tags = {"intervals": True, "past_covariates": True, "future_covariates": True}

    def __init__(self, log=None, future_known=None, fail_at=None, leak=False):
        self.log = log
        self.future_known = future_known
        self.fail_at = fail_at
        self.leak = leak

    def _record(self, kind, y, X):
        self.log.append({
            "kind": kind, "first": self.first_, "last": self.last_, "n": len(y),
            "X_last": None if X is None else X.index[-1], "X_cols": None if X is None else list(X.columns),
        })

    def _fit(self, y, X):
        if self.fail_at is not None and sum(e["kind"] == "fit" for e in self.log) + 1 >= self.fail_at:
            raise RuntimeError(f"boom at fit {self.fail_at}")
        self._record("fit", y, X)
        self.fit_last_ = self.last_
        self.order_ = (1, 0, len(y) % 3)
        self.y_ = y

    def _update(self, y, X):
        self._record("update", y, X)
        self.y_ = y

    def _predict(self, h, X):
        self.log.append({"kind": "predict", "h": h, "X": None if X is None else X.copy()})
        return np.repeat(self.y_[-1:], h, axis=0)

    def _predict_interval(self, h, X, level):
        mean = self._predict(h, X)
        self.log[-1]["kind"] = "predict_interval"
        return mean, mean - 1, mean + 1

    def fitted_info(self):
        return {**super().fitted_info(), "order": self.order_}

    def _transform_audit(self):
        end = self.fit_last_ + 3 * self.freq_ if self.leak else self.fit_last_
        return {"scaler": {"fit_start": str(self.first_), "fit_end": str(end), "n_rows": 0, "params": {}}}


@pytest.fixture
def data():
    n = 30
    idx = pd.date_range("2021-01-01", periods=n, freq="D")
    y = pd.DataFrame({"a": np.arange(n, dtype=float), "b": 100 + np.arange(n, dtype=float) ** 1.5}, index=idx)
    X = pd.DataFrame({"past": np.sin(np.arange(n)), "fut": np.arange(n) % 7}, index=idx)
    return y, X


def test_fit_and_update_never_see_the_test_rows(data):
    y, X = data
    log = []
    folds = rolling_folds(len(y), 3, folds=4, refit_every=2)
    res = run_backtest(Spy(log), y, X, folds, name="spy", evaluation="rolling")
    assert res.error is None
    calls = [e for e in log if e["kind"] in ("fit", "update")]
    assert [e["kind"] for e in calls] == ["fit", "update", "fit", "update"]
    for fold, call in zip(folds, calls):
        test_start = y.index[fold.origin]
        assert call["last"] == y.index[fold.origin - 1] < test_start
        assert call["X_last"] == y.index[fold.origin - 1]
        assert call["first"] == y.index[fold.hist_start]


def test_holdout_fits_once_and_updates(data):
    y, X = data
    log = []
    folds = holdout_folds(len(y), 1, test_size=5)
    res = run_backtest(Spy(log), y[["a"]], None, folds, evaluation="holdout")
    assert [e["kind"] for e in log if e["kind"] != "predict_interval"] == ["fit"] + ["update"] * 4
    assert list(res.forecasts["forecast"]) == [24.0, 25.0, 26.0, 27.0, 28.0]  # the last value each time
    assert [a.refit for a in res.audit] == [True, False, False, False, False]


def test_sliding_window_history(data):
    y, _ = data
    log = []
    folds = rolling_folds(len(y), 2, folds=3, window="sliding", window_length=10, refit_every=0)
    run_backtest(Spy(log), y, None, folds)
    calls = [e for e in log if e["kind"] in ("fit", "update")]
    assert [c["n"] for c in calls] == [10, 10, 10]
    assert [c["first"] for c in calls] == [y.index[f.origin - 10] for f in folds]


def test_past_covariates_never_passed_beyond_the_origin(data):
    y, X = data
    log = []
    folds = rolling_folds(len(y), 4, folds=3)
    run_backtest(Spy(log, future_known=["fut"]), y, X, folds)
    fits = [e for e in log if e["kind"] == "fit"]
    assert all(e["X_cols"] == ["past", "fut"] for e in fits)
    preds = [e for e in log if e["kind"] == "predict_interval"]
    assert len(preds) == 3
    for fold, p in zip(folds, preds):
        assert list(p["X"].columns) == ["fut"]
        assert list(p["X"].index) == list(y.index[fold.origin:fold.origin + 4])
    # without future-known columns, predict gets no covariates at all
    log.clear()
    run_backtest(Spy(log), y, X[["past"]], folds)
    assert all(e["X"] is None for e in log if e["kind"].startswith("predict"))


def test_forecast_table_and_intervals(data):
    y, _ = data
    folds = rolling_folds(len(y), 3, folds=2)
    seen = []
    res = run_backtest(Spy([]), y, None, folds, name="spy", type_name="spy_type", evaluation="rolling",
                       on_fold=seen.append)
    assert seen == folds
    fc = res.forecasts
    assert list(fc.columns) == FORECAST_COLUMNS and len(fc) == 2 * 2 * 3
    a = fc[fc["target"] == "a"]
    assert list(a["step"]) == [1, 2, 3, 1, 2, 3]
    assert list(a["origin"]) == [y.index[23]] * 3 + [y.index[26]] * 3
    assert list(a["timestamp"]) == list(y.index[24:30])
    assert list(a["actual"]) == list(y["a"].iloc[24:30])
    assert np.allclose(a["upper"] - a["forecast"], 1) and np.allclose(a["forecast"] - a["lower"], 1)
    assert res.type == "spy_type" and res.fit_seconds >= 0 and res.predict_seconds > 0
    assert [i["order"] for i in res.info] == [[1, 0, 24 % 3], [1, 0, 27 % 3]]

    no_level = run_backtest(Spy([]), y, None, folds, level=None)
    assert no_level.forecasts[["lower", "upper"]].isna().all().all()


def test_failing_forecaster_is_recorded(data):
    y, _ = data
    res = run_backtest(Spy([], fail_at=2), y, None, rolling_folds(len(y), 2, folds=3), name="bad")
    assert res.error == "RuntimeError: boom at fit 2"
    assert res.forecasts.empty and list(res.forecasts.columns) == FORECAST_COLUMNS
    assert res.audit == [] and res.info == []


def test_leakage_audit(data):
    y, _ = data
    folds = rolling_folds(len(y), 3, folds=3, refit_every=0)
    honest = run_backtest(Spy([]), y, None, folds)
    assert [a.leak_free for a in honest.audit] == [True] * 3 and honest.leak_free
    first = honest.audit[0]
    assert first.test_start == str(y.index[folds[0].origin])
    assert first.history_end == str(y.index[folds[0].origin - 1])
    assert first.transforms["scaler"]["fit_end"] == str(y.index[folds[0].fit_end - 1])
    # a transform fitted 3 days past the fit end reaches into the test rows
    leaky = run_backtest(Spy([], leak=True), y, None, rolling_folds(len(y), 3, folds=3, refit_every=1))
    assert [a.leak_free for a in leaky.audit] == [False] * 3 and not leaky.leak_free
    # fitted once: the stale transform (ends 2 days into fold 0's test) is before later folds' tests
    leaky_once = run_backtest(Spy([], leak=True), y, None, folds)
    assert [a.leak_free for a in leaky_once.audit] == [False, True, True]


def _audit(fit_end, transforms, test_start="2020-01-03", params_fit_end="2020-01-02"):
    return FoldAudit(
        model="m", evaluation="e", fold=0, refit=True, fit_start="2020-01-01", fit_end=fit_end, n_obs=2,
        transforms=transforms, params_fit_start="2020-01-01", params_fit_end=params_fit_end,
        history_start="2020-01-01", history_end=fit_end, test_start=test_start, test_end=test_start,
    )


def test_leak_free_rejects_unreadable_audits():
    idx = pd.date_range("2020-01-01", periods=5, freq="D")
    assert leak_free(_audit("2020-01-02", {"s": {"fit_end": "2020-01-02"}}), idx)
    assert not leak_free(_audit("2020-01-03", {"s": {"fit_end": "2020-01-02"}}), idx)
    assert not leak_free(_audit("2020-01-02", {"s": {"fit_end": None}}), idx)
    assert not leak_free(_audit("2020-01-02", {}, params_fit_end="2020-01-04"), idx)
    assert leak_free(_audit("3", {}, test_start="4", params_fit_end="3"), pd.RangeIndex(5))


def test_with_the_real_baselines(data):
    from forecastkit.forecasters.baselines import NaiveForecaster, SeasonalNaiveForecaster

    y, _ = data
    folds = rolling_folds(len(y), 7, folds=2, refit_every=0)
    naive = run_backtest(NaiveForecaster(), y[["a"]], None, folds, name="naive")
    assert naive.error is None
    assert list(naive.forecasts["forecast"]) == [15.0] * 7 + [22.0] * 7
    assert naive.forecasts["lower"].notna().all()
    snaive = run_backtest(SeasonalNaiveForecaster(season_length=7), y[["a"]], None, folds)
    assert list(snaive.forecasts["forecast"].iloc[:7]) == list(y["a"].iloc[9:16])
    assert all(a.leak_free for a in snaive.audit)
