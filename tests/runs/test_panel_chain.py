"""Warm-started local models in a panel: a series' folds and its forecast past the end run
as one chain (each fit starts where the previous one ended), stored as one resume unit;
``forecast_panel`` fits the same chain, so its forecasts equal the run's."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from forecastkit.forecasters.conformal import ConformalForecaster
from forecastkit.forecasters.statistical.arima import ARIMAForecaster
from forecastkit.runs.panel import forecast_panel, run_panel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_panel_run import write_panel  # noqa: E402

ARIMA = """
[[models]]
name = "arima"
type = "arima"
order = [1, 1, 1]
"""


def _config(tmp_path):
    return write_panel(tmp_path, n_series=4, extra=ARIMA)


def test_a_series_folds_and_future_form_one_warm_chain(tmp_path, monkeypatch):
    seen = []
    real = ARIMAForecaster.warm_start

    def spy(self, previous):
        seen.append(len(previous.history_index()))  # rows of the fit it starts from
        return real(self, previous)

    monkeypatch.setattr(ARIMAForecaster, "warm_start", spy)
    res = run_panel(_config(tmp_path), tmp_path / "out", plots=False)
    # per series: fold 0's model from its own calibration copy (a cold start), then fold 1
    # and the future each from the fit before (model and copy): 1 + 2 + 2 (cold: 3 x 1)
    assert len(seen) == 4 * 5
    arima = res.future[res.future["model"] == "arima"]
    assert len(arima) == 4 * 5 and arima["lower"].notna().all()


def test_the_future_equals_the_manual_chain(tmp_path):
    res = run_panel(_config(tmp_path), tmp_path / "out", plots=False)
    data = pd.read_csv(tmp_path / "panel.csv")
    y = data[data["shop"] == "S3"]
    frame = pd.DataFrame({"y": y["sales"].to_numpy(float)}, index=pd.DatetimeIndex(pd.to_datetime(y["month"]),
                                                                                   freq="MS"))
    spec = {"type": "arima", "order": [1, 1, 1]}
    previous = None
    n = len(frame)
    for end, steps in ((n - 8, 4), (n - 4, 4), (n, 5)):  # two folds of 4 steps, then the future
        model = ConformalForecaster(model=spec, horizon=steps)
        if previous is not None:
            model.warm_start(previous)
        model.fit(frame.iloc[:end])
        previous = model
    band = model.predict_interval(5, level=0.95)
    got = res.future[(res.future["model"] == "arima") & (res.future["series_id"] == "S3")]
    np.testing.assert_allclose(got["forecast"].to_numpy(), band["y"].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(got["upper"].to_numpy(), band["y_upper"].to_numpy(), rtol=1e-10)


def test_forecast_equals_the_runs_forecast_for_a_chained_model(tmp_path):
    cfg = _config(tmp_path)
    res = run_panel(cfg, tmp_path / "out", plots=False)
    alone = forecast_panel(cfg, ["arima"])
    ran = res.future[res.future["model"] == "arima"]
    np.testing.assert_array_equal(alone["forecast"].to_numpy(), ran["forecast"].to_numpy())
    np.testing.assert_array_equal(alone["upper"].to_numpy(), ran["upper"].to_numpy())


def test_jobs_2_equals_jobs_1_with_chains(tmp_path):
    cfg = _config(tmp_path)
    one = run_panel(cfg, tmp_path / "one", plots=False)
    two = run_panel(cfg, tmp_path / "two", plots=False, jobs=2)
    for a, b in ((one.forecasts, two.forecasts), (one.future, two.future)):
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_exact=True)


def test_a_chain_is_one_resume_unit(tmp_path, monkeypatch):
    from forecastkit.runs.state import RunState

    monkeypatch.setattr(RunState, "discard", lambda self: None)  # keep the work directory
    run_panel(_config(tmp_path), tmp_path / "out", plots=False)
    units = sorted(p.relative_to(tmp_path / ".out.work" / "units").parts[:2]
                   for p in (tmp_path / ".out.work" / "units").glob("*/*/*.json"))
    assert [u for u in units if u[0] == "arima"] == [("arima", "chain")] * 2  # two chunks of 2 series
    assert {u[1] for u in units if u[0] == "theta"} == {"fold-00000", "fold-00001", "future"}
