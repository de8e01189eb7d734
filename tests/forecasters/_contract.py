"""The behaviour every registered forecaster type promises, checked by
``test_contract.py`` (non-Keras types) and ``test_contract_keras.py`` (Keras types)
for every entry of the registry with the entry's own ``test_params``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import DataError, ForecastkitTypeError, NotFittedError
from forecastkit.forecasters.persistence import load_forecaster, save_forecaster
from forecastkit.forecasters.registry import REGISTRY, make_forecaster, parameters

H = 4


def entries(neural: bool) -> list[str]:
    """Registry names whose class is (or is not) a Keras model."""
    return [name for name, entry in REGISTRY.items() if bool(entry.load().tags()["neural"]) == neural]


def series(n: int = 60, targets: int = 1) -> pd.DataFrame:
    """Positive monthly series with trend, season and noise (one column per target)."""
    t = np.arange(n)
    rng = np.random.default_rng(3)
    cols = {f"y{j}": 50 + (j + 1) * t + 8 * np.sin(2 * np.pi * t / 12 + j) + rng.normal(0, 1, n)
            for j in range(targets)}
    return pd.DataFrame(cols, index=pd.date_range("2010-01-01", periods=n, freq="MS"))


def build(name: str):
    params = REGISTRY[name].test_params
    assert params is not None, f"registry entry {name!r} declares no test_params"
    return make_forecaster(name, **params)


def check_contract(name: str, tmp_path) -> None:
    """fit -> predict -> predict_interval -> update -> save/load, on one target."""
    y = series()
    model = build(name)
    params = model.get_params()
    # scikit-learn conventions: __init__ stores its arguments unchanged, fit returns self
    assert set(params) == set(parameters(name))
    assert all(params[k] == v for k, v in REGISTRY[name].test_params.items())
    with pytest.raises(NotFittedError):
        model.predict(H)
    assert model.fit(y.iloc[:48]) is model and model.get_params() == params
    assert model.is_fitted_ and model.targets_ == ["y0"] and model.fit_span_[1] == str(y.index[47])
    assert repr(model.clone()) == repr(model) and not hasattr(model.clone(), "is_fitted_")

    pred = model.predict(H)
    assert list(pred.columns) == ["y0"] and pred.index.equals(y.index[48:48 + H])  # the dates after the data
    assert np.isfinite(pred.to_numpy()).all()

    if model.tags()["intervals"]:
        band = model.predict_interval(H, level=0.8)
        assert list(band.columns) == ["y0", "y0_lower", "y0_upper"]
        np.testing.assert_allclose(band["y0"], pred["y0"], rtol=1e-9)
        # bounds may be NaN (too little data to calibrate, a documented note) but are
        # ordered; empirical-error intervals need not contain the point forecast
        ok = band[["y0_lower", "y0_upper"]].notna().all(axis=1)
        assert (band.loc[ok, "y0_lower"] <= band.loc[ok, "y0_upper"]).all()
        wider = model.predict_interval(H, level=0.95)
        assert (wider.loc[ok, "y0_upper"] - wider.loc[ok, "y0_lower"]
                >= band.loc[ok, "y0_upper"] - band.loc[ok, "y0_lower"] - 1e-9).all()
    else:
        with pytest.raises(DataError, match="does not produce prediction intervals"):
            model.predict_interval(H)

    info = model.fitted_info()
    assert isinstance(info, dict)
    json.dumps(info, allow_nan=False)  # JSON-safe as it is

    for bad, error in ((0, DataError), (-1, DataError), (1.5, ForecastkitTypeError), (True, ForecastkitTypeError)):
        with pytest.raises(error):
            model.predict(bad)

    # update: the same parameters, forecasts from the end of the new history
    model.update(y.iloc[:54])
    assert model.predict(H).index[0] == y.index[54] and model.fit_span_[1] == str(y.index[47])
    updated = model.predict(H)

    path = save_forecaster(model, tmp_path / name, name=name, type_name=name, data={"time": None})
    loaded, meta = load_forecaster(path)
    assert meta["type"] == name and meta["targets"] == ["y0"]
    pd.testing.assert_frame_equal(loaded.predict(H), updated, rtol=1e-6)


def check_bad_input(name: str) -> None:
    """NaN in y, too little data and mismatched updates are clear errors."""
    y = series()
    holed = y.copy()
    holed.iloc[10, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        build(name).fit(holed)
    model = build(name)
    with pytest.raises(DataError, match="at least"):
        model.fit(y.iloc[: model.min_train_size() - 1])
    model.fit(y)
    with pytest.raises(DataError, match="columns"):
        model.update(y.rename(columns={"y0": "other"}))


def check_multi_target(name: str) -> None:
    """Two target columns: one forecast column each, in order, from the same fit."""
    y = series(targets=2)
    model = build(name).fit(y.iloc[:48])
    pred = model.predict(H)
    assert list(pred.columns) == ["y0", "y1"] and np.isfinite(pred.to_numpy()).all()
    # the second target grows twice as fast: its forecast is larger
    assert (pred["y1"] > pred["y0"]).all()
