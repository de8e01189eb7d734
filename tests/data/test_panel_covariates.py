"""Panel covariates: static features constant per series (errors name the series),
numeric past/future covariates per series, and the future values file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.panel_records import panel_blocks
from forecastkit.data.panel import drop_short, panel_from_frame
from forecastkit.data.panel_loader import future_covariate_values, load_panel
from forecastkit.errors import DataError


def frame(n=6) -> pd.DataFrame:
    parts = []
    for k, (sid, cat, size) in enumerate((("A", "food", 1), ("B", "toys", 2), ("C", "food", 3))):
        idx = pd.date_range("2021-01-01", periods=n + k, freq="MS")
        parts.append(pd.DataFrame({"store": sid, "month": idx.strftime("%Y-%m-%d"),
                                   "sales": 10.0 * (k + 1) + np.arange(n + k),
                                   "category": cat, "size": size, "price": np.arange(n + k) / 10 + k,
                                   "promo": (np.arange(n + k) % 2).astype(float)}))
    return pd.concat(parts, ignore_index=True)


def test_statics_and_covariates_are_kept_per_series():
    panel = panel_from_frame(frame().sample(frac=1.0, random_state=1), series_id="store", target="sales",
                             past_covariates=["price"], future_covariates=["promo"],
                             static_features=["category", "size"])
    assert panel.past == ("price",) and panel.future == ("promo",)
    assert panel.statics.to_dict("index") == {"A": {"category": "food", "size": 1},
                                              "B": {"category": "toys", "size": 2},
                                              "C": {"category": "food", "size": 3}}
    blocks = {b.sid: b for b in panel_blocks(panel)}
    np.testing.assert_allclose(blocks["B"].past[:, 0], np.arange(7) / 10 + 1)  # sorted back by time
    np.testing.assert_allclose(blocks["C"].known[:, 0], np.arange(8) % 2)
    assert blocks["A"].static == (("category", "food"), ("size", 1))
    with pytest.warns(UserWarning, match=r"skipping 1 series shorter than the 7 rows .*'A' \(6 rows\)"):
        short = drop_short(panel, 7)  # A has 6 rows
    assert sorted(short.statics.index) == ["B", "C"]


def test_a_static_feature_that_varies_within_a_series_names_the_series():
    df = frame()
    df.loc[(df.store == "B") & (df.month == "2021-04-01"), "category"] = "games"
    with pytest.raises(DataError, match=r"series 'B': static feature 'category' is not constant within the series "
                                        r"\('toys' at 2021-01-01, 'games' at 2021-04-01\)"):
        panel_from_frame(df, series_id="store", target="sales", static_features=["category"])


@pytest.mark.parametrize("change, kwargs, match", [
    (lambda d: d, {"static_features": ["colour"]}, r"static feature column 'colour' not found"),
    (lambda d: d, {"past_covariates": ["price"], "static_features": ["price"]},
     r"column 'price' is named as a past covariate and as a static feature"),
    (lambda d: d, {"past_covariates": ["sales"]}, r"past covariate 'sales' is also the series id, time or target"),
    (lambda d: d.assign(price=d.price.where(~((d.store == "C") & (d.month == "2021-03-01")), "n/a")),
     {"past_covariates": ["price"]}, r"series 'C': covariate 'price' has a non-numeric value 'n/a' at 2021-03-01"),
    (lambda d: d.assign(promo=d.promo.where(d.store != "A")), {"future_covariates": ["promo"]},
     r"series 'A': covariate 'promo' is missing at 2021-01-01 \(6 such row\(s\)\)"),
    (lambda d: d.assign(category=d.category.where(d.store != "C")), {"static_features": ["category"]},
     r"series 'C': static feature 'category' is missing at 2021-01-01"),
])
def test_bad_covariates_are_one_line_errors(change, kwargs, match):
    with pytest.raises(DataError, match=match):
        panel_from_frame(change(frame()), series_id="store", target="sales", **kwargs)


def test_future_values_cover_each_series_horizon(tmp_path):
    df = frame()
    df.to_csv(tmp_path / "panel.csv", index=False)
    ahead = []
    for sid, end in (("A", "2021-06-01"), ("B", "2021-07-01"), ("C", "2021-08-01")):
        idx = pd.date_range(end, periods=3, freq="MS")[1:]
        ahead.append(pd.DataFrame({"store": sid, "month": idx.strftime("%Y-%m-%d"), "promo": [7.0, 8.0]}))
    pd.concat(ahead).to_csv(tmp_path / "future.csv", index=False)
    panel = load_panel(tmp_path / "panel.csv", series_id="store", target="sales", future_covariates=["promo"],
                       covariates_path=tmp_path / "future.csv", horizon=2)
    assert {k: v[:, 0].tolist() for k, v in panel.future_values.items()} == {k: [7.0, 8.0] for k in "ABC"}
    blocks = {b.sid: b for b in panel_blocks(panel)}
    assert blocks["A"].known[-3:, 0].tolist() == [1.0, 7.0, 8.0]  # the data's last row, then the future
    with pytest.raises(DataError, match=r"series 'A': no future covariate values for 2021-09-01 \(1 of the 3"):
        future_covariate_values(pd.concat(ahead), panel, 3, series_id="store", time="month", source="future.csv")


def test_competition_panels_have_no_covariates():
    with pytest.raises(DataError, match="no covariate or static feature columns"):
        load_panel("m3-monthly", static_features=["category"])
