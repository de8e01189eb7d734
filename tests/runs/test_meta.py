"""run.json facts and the run fingerprint."""

from __future__ import annotations

from _tiny import write_tiny

from forecastkit.config.schema import load_config
from forecastkit.runs.inputs import load_run_data
from forecastkit.runs.meta import run_fingerprint, run_meta


def test_run_meta_describes_the_data_and_timings(tmp_path):
    cfg = load_config(write_tiny(tmp_path))
    data = load_run_data(cfg)
    meta = run_meta(cfg, data, 2, 1.23456, {"m": "boom"}, {"m": 0.123456}, 4)
    assert meta["jobs"] == 2 and meta["wall_seconds"] == 1.235 and meta["future_horizon"] == 4
    assert meta["future_errors"] == {"m": "boom"} and meta["future_fit_seconds"] == {"m": 0.1235}
    d = meta["data"]
    assert (d["rows"], d["start"], d["end"], d["targets"]) == (60, "2000-01-01 00:00:00", "2004-12-01 00:00:00", ["sales"])
    assert meta["versions"]["numpy"] and "platform" in meta["machine"]


def test_fingerprint_follows_the_data_file(tmp_path):
    config = write_tiny(tmp_path)
    cfg = load_config(config)
    before = run_fingerprint(cfg, None)
    assert before == run_fingerprint(cfg, None) != run_fingerprint(cfg, ["naive"])
    csv = tmp_path / "tiny.csv"
    csv.write_text(csv.read_text().replace("2004-12", "2004-12", 1) + "\n")
    assert run_fingerprint(cfg, None) != before
