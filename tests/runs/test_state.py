"""The resumable work directory: fingerprints, safe names, stored folds and refusals."""

from __future__ import annotations

import pytest

from forecastkit.errors import ConfigError
from forecastkit.runs.state import RunState, fingerprint, safe_name


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
    state.store_fold("m", "rolling", 3, {"value": 1})
    state.store_future("m", ("frame", None, 0.5))
    assert state.fold_results("m", "rolling") == {3: {"value": 1}} and state.fold_results("m", "x") == {}
    assert state.future("m") == ("frame", None, 0.5) and state.future("other") is None
    with pytest.raises(ConfigError, match="an interrupted run of this output exists"):
        RunState.open(out, "f1", resume=False, force=False)
    with pytest.raises(ConfigError, match="cannot resume: the config, data or model selection changed"):
        RunState.open(out, "f2", resume=True, force=False)
    assert RunState.open(out, "f1", resume=True, force=False).fold_results("m", "rolling") == {3: {"value": 1}}
    assert RunState.open(out, "f2", resume=False, force=True).fold_results("m", "rolling") == {}
    state.discard()
    assert not RunState.work_dir_for(out).exists()
