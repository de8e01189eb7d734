"""The resumable work directory: fingerprints, safe names, stored folds and refusals."""

from __future__ import annotations

import pandas as pd
import pytest

from forecastkit.backtest.results import FoldAudit, FoldRecord
from forecastkit.errors import ConfigError
from forecastkit.runs.state import RunState, fingerprint, safe_name

RECORD = FoldRecord(
    rows=pd.DataFrame({"step": [1, 2], "forecast": [1.5, 2.5]}),
    audit=FoldAudit(model="m", evaluation="rolling", fold=3, refit=True, fit_start="a", fit_end="b", n_obs=10,
                    transforms={}, params_fit_start="a", params_fit_end="b", history_start="a", history_end="b",
                    test_start="c", test_end="d", leak_free=True),
    info={"order": [1, 0, 0]}, fit_seconds=0.1, predict_seconds=0.2,
)


def same(got: dict, want: dict) -> bool:
    """Fold records equal field by field (their tables compared as frames)."""
    return got.keys() == want.keys() and all(
        got[k].rows.equals(want[k].rows) and got[k].audit == want[k].audit and got[k].info == want[k].info
        and (got[k].fit_seconds, got[k].predict_seconds) == (want[k].fit_seconds, want[k].predict_seconds)
        for k in want
    )


def test_fingerprint_changes_with_config_data_and_selection(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a\n1\n")
    base = fingerprint({"x": 1}, [data], None)
    assert base == fingerprint({"x": 1}, [data], None)
    assert base != fingerprint({"x": 2}, [data], None)
    assert base != fingerprint({"x": 1}, [data], ["m"])
    assert fingerprint({"x": 1}, [data], ["a", "b"]) == fingerprint({"x": 1}, [data], ["b", "a"])
    data.write_text("a\n2\n")
    assert base != fingerprint({"x": 1}, [data], None)


def test_safe_names_are_kept_or_made_unique():
    assert safe_name("ridge_direct-1.5") == "ridge_direct-1.5"
    a, b = safe_name("a/b"), safe_name("a?b")
    assert a != b and a.startswith("a_b-") and "/" not in a


def test_folds_and_future_round_trip_and_resume_rules(tmp_path):
    out = tmp_path / "run"
    state = RunState.open(out, "f1", resume=False, force=False)
    state.store_fold("m", "rolling", 3, RECORD.to_dict())
    state.store_future("m", ("frame", None, 0.5))
    assert same(state.fold_results("m", "rolling"), {3: RECORD}) and state.fold_results("m", "x") == {}
    assert state.future("m") == ("frame", None, 0.5) and state.future("other") is None
    with pytest.raises(ConfigError, match="an interrupted run of this output exists"):
        RunState.open(out, "f1", resume=False, force=False)
    with pytest.raises(ConfigError, match="cannot resume: the config, data or model selection changed"):
        RunState.open(out, "f2", resume=True, force=False)
    assert same(RunState.open(out, "f1", resume=True, force=False).fold_results("m", "rolling"), {3: RECORD})
    assert RunState.open(out, "f2", resume=False, force=True).fold_results("m", "rolling") == {}
    state.discard()
    assert not RunState.work_dir_for(out).exists()
