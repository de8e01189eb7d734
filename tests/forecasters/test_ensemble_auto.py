"""ensemble and auto: known answers (two identical members equal the member), the
inner validation never sees a fold's test rows (a spy), and clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.engine import run_backtest
from forecastkit.backtest.splits import rolling_folds
from forecastkit.config.schema import ModelConfig
from forecastkit.errors import ConfigError, DataError
from forecastkit.forecasters.baselines import DriftForecaster
from forecastkit.forecasters.registry import REGISTRY, Entry, make_forecaster
from forecastkit.runs.inputs import ModelContext, build_model


def series(n=72):
    t = np.arange(n)
    rng = np.random.default_rng(0)
    values = 100 + 0.8 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 2, n)
    return pd.DataFrame({"y": values}, index=pd.date_range("2000-01-01", periods=n, freq="MS"))


# --------------------------------------------------------------------------- ensemble
@pytest.mark.parametrize("combine", ["mean", "median"])
def test_ensemble_of_two_identical_models_equals_the_model(combine):
    y = series()
    member = {"type": "theta", "season_length": 12}
    ens = make_forecaster("ensemble", members=[member, member], combine=combine).fit(y)
    one = make_forecaster("theta", season_length=12).fit(y)
    pd.testing.assert_frame_equal(ens.predict(6), one.predict(6))
    pd.testing.assert_frame_equal(ens.predict_interval(6, level=0.9), one.predict_interval(6, level=0.9))
    info = ens.fitted_info()
    assert info["combine"] == combine and list(info["members"]) == ["theta#0", "theta#1"]
    assert info["members"]["theta#0"]["type"] == "theta" and "alpha" in info["members"]["theta#0"]


def test_ensemble_mean_and_median_of_three():
    y = series()
    specs = [{"type": "naive"}, {"type": "drift"}, {"type": "seasonal_naive", "season_length": 12}]
    preds = [make_forecaster(s["type"], **{k: v for k, v in s.items() if k != "type"}).fit(y).predict(4)["y"]
             for s in specs]
    mean = make_forecaster("ensemble", members=specs).fit(y).predict(4)["y"]
    median = make_forecaster("ensemble", members=specs, combine="median").fit(y).predict(4)["y"]
    np.testing.assert_allclose(mean, np.mean(preds, axis=0))
    np.testing.assert_allclose(median, np.median(preds, axis=0))


def test_ensemble_bad_members_are_clear_errors():
    y = series()
    with pytest.raises(ConfigError, match="members is empty"):
        make_forecaster("ensemble", members=[]).fit(y)
    with pytest.raises(ConfigError, match=r"members\[1\] has unknown model type 'bogus'"):
        make_forecaster("ensemble", members=[{"type": "naive"}, {"type": "bogus"}]).fit(y)
    with pytest.raises(ConfigError, match=r"members\[0\] must be a table with a 'type' key"):
        make_forecaster("ensemble", members=["naive"]).fit(y)


def test_members_are_validated_and_filled_like_models_entries():
    ctx = ModelContext(seed=5, season_length=12, horizon=6)
    cfg = ModelConfig(name="combo", type="ensemble", members=[{"type": "ridge", "n_in": 3}, {"type": "naive"}])
    built = build_model(cfg, ctx)
    assert built.members[0] == {"type": "ridge", "n_in": 3, "horizon": 6, "random_state": 5}
    bad = ModelConfig(name="combo", type="ensemble", members=[{"type": "naive"}, {"type": "nope"}])
    with pytest.raises(ConfigError, match=r"model 'combo': members\[1\]: unknown model type 'nope'"):
        build_model(bad, ctx)
    typo = ModelConfig(name="combo", type="ensemble", members=[{"type": "ridge", "n_inn": 3}])
    with pytest.raises(ConfigError, match=r"members\[0\].*no parameter\(s\) \['n_inn'\]"):
        build_model(typo, ctx)
    # in a run, the ensemble is wrapped for calibrated intervals; its members stay tables
    wrapped = build_model(cfg, ModelContext(seed=5, season_length=12, horizon=6, intervals="conformal"))
    assert wrapped.model["members"][0]["horizon"] == 6


# --------------------------------------------------------------------------- auto
class Spy(DriftForecaster):
    """A drift forecaster that records the last timestamp of every history it gets."""

    seen: list[pd.Timestamp] = []

    def fit(self, y, X=None):
        Spy.seen.append(y.index[-1])
        return super().fit(y, X)

    def update(self, y, X=None):
        Spy.seen.append(y.index[-1])
        return super().update(y, X)


class _SpyEntry(Entry):
    def load(self):
        return Spy


def test_auto_never_sees_the_test_rows_of_a_fold(monkeypatch):
    monkeypatch.setitem(REGISTRY, "spy", _SpyEntry("spy", "spy", test_params={}))
    y = series(96)
    auto = make_forecaster("auto", candidates=[{"type": "spy"}, {"type": "naive"}], horizon=6, folds=3)
    folds = rolling_folds(len(y), 6, folds=4, step=6)
    Spy.seen = []
    for fold in folds:
        before = len(Spy.seen)
        run = run_backtest(auto, y, None, [fold], level=None)
        assert run.error is None, run.error
        seen = Spy.seen[before:]
        assert seen, "the spy candidate was never fitted"
        # every history the candidate got ends before the fold's first test row
        assert max(seen) < y.index[fold.origin]
        # and the inner validation held out the end of the fold's training rows
        assert min(seen) == y.index[fold.origin - 1 - 3 * 6]
        assert run.info[0]["chosen"] in ("spy#0", "naive#1")


def test_auto_chooses_the_better_candidate_and_reports_it():
    y = series(96)
    auto = make_forecaster("auto", candidates=[{"type": "naive"}, {"type": "seasonal_naive", "season_length": 12},
                                               {"name": "damped", "type": "ets", "trend": "damped"}],
                           season_length=12, horizon=12, folds=2).fit(y)
    info = auto.fitted_info()
    scores = info["inner_mase"]
    assert set(scores) == {"naive#0", "seasonal_naive#1", "damped"}
    assert info["chosen"] == min(scores, key=scores.get)
    assert scores["naive#0"] > scores["seasonal_naive#1"]  # the season is strong
    top2 = make_forecaster("auto", candidates=auto.candidates, season_length=12, horizon=12, folds=2, top_k=2).fit(y)
    chosen = top2.fitted_info()["chosen"]
    assert len(chosen) == 2 and chosen[0] == info["chosen"]
    parts = [m.predict(12)["y"].to_numpy() for m in top2.models_]
    np.testing.assert_allclose(top2.predict(12)["y"].to_numpy(), np.mean(parts, axis=0))


def test_auto_with_too_little_data_says_how_many_rows_it_needs():
    auto = make_forecaster("auto", candidates=[{"type": "naive"}, {"type": "seasonal_naive", "season_length": 12}],
                           horizon=12, folds=3)
    need = make_forecaster("seasonal_naive", season_length=12).min_train_size()  # the larger candidate minimum
    assert auto.min_train_size() == need + 3 * 12
    with pytest.raises(DataError, match=f"needs at least {need + 36} observations to fit, got 40"):
        auto.fit(series(40))


def test_auto_default_candidates_follow_the_season_length():
    auto = make_forecaster("auto", season_length=12)
    types = [s["type"] for s in auto._specs()]
    assert types == ["auto_arima", "ets", "theta", "seasonal_naive"]
    assert [s["type"] for s in make_forecaster("auto")._specs()][-1] == "naive"
