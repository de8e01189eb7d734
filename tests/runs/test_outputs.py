"""Run directories: no silent overwrite, writability probed first, atomic replace."""

from __future__ import annotations

import pytest

from forecastkit.errors import DataError
from forecastkit.runs.outputs import prepare_output, write_run
from forecastkit.safety.rundirs import mark


def test_prepare_output_refuses_existing_and_file_parents(tmp_path):
    prepare_output(tmp_path / "new" / "run", force=False)
    assert (tmp_path / "new").is_dir() and not (tmp_path / "new" / "run").exists()
    (tmp_path / "done").mkdir()
    with pytest.raises(DataError, match="already exists; pass --force"):
        prepare_output(tmp_path / "done", force=False)
    with pytest.raises(DataError, match="not created by forecastkit"):
        prepare_output(tmp_path / "done", force=True)  # --force replaces only run directories
    mark(tmp_path / "done")
    prepare_output(tmp_path / "done", force=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(DataError, match="is a file, not a directory"):
        prepare_output(tmp_path / "file" / "run", force=False)


def test_write_run_swaps_in_a_complete_directory(tmp_path, monkeypatch):
    import forecastkit.report.writer as writer

    def fake_report(result, out_dir, plots=True):
        (out_dir / "report.html").write_text(result)

    monkeypatch.setattr(writer, "write_report", fake_report)
    out = tmp_path / "run"
    models = tmp_path / "saved"
    (models / "m").mkdir(parents=True)
    write_run("first", out, models_dir=models)
    assert (out / "report.html").read_text() == "first" and (out / "models" / "m").is_dir()
    write_run("second", out, force=True)
    assert (out / "report.html").read_text() == "second" and not (out / "models").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "saved"]  # no temporary leftovers

    def failing(result, out_dir, plots=True):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer, "write_report", failing)
    with pytest.raises(RuntimeError):
        write_run("third", out, force=True)
    assert (out / "report.html").read_text() == "second"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "saved"]
