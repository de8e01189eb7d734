"""Resuming an interrupted panel run: only unfinished (model, series chunk, fold) units are
recomputed, the results equal an uninterrupted run's, the state is JSON + npz, and a
changed config is refused in one line that suggests --force."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import forecastkit.backtest.panel_engine as engine
from forecastkit.errors import ConfigError
from forecastkit.runs.panel import run_panel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_panel_run import write_panel  # noqa: E402

REAL_RUN_TASK = engine.run_task
#: what the runs must agree on (seconds and the wall time differ)
FILES = ("forecasts.csv", "forecast.csv", "metrics_by_series.csv", "fitted_by_series.csv")


def same_outputs(a: Path, b: Path) -> None:
    for name in FILES:
        pd.testing.assert_frame_equal(pd.read_csv(a / name), pd.read_csv(b / name), check_exact=True, obj=name)
    pd.testing.assert_frame_equal(pd.read_csv(a / "leaderboard.csv").drop(columns="seconds"),
                                  pd.read_csv(b / "leaderboard.csv").drop(columns="seconds"))


class Stop(Exception):
    """Stands for Ctrl-C (pytest itself reacts to a real KeyboardInterrupt); the process
    test in tests/cli/test_panel_interrupt.py sends real signals."""


class Interrupt:
    """``run_task`` that raises :class:`Stop` once ``after`` units have run, and counts."""

    def __init__(self, after: int | None):
        self.after, self.calls = after, []

    def __call__(self, task):
        if self.after is not None and len(self.calls) >= self.after:
            raise Stop
        self.calls.append((task.model.name, task.folds, len(task.blocks)))
        return REAL_RUN_TASK(task)


def interrupt_run(cfg, out, after, monkeypatch) -> None:
    """Run ``cfg`` into ``out`` and stop it after ``after`` units."""
    monkeypatch.setattr(engine, "run_task", Interrupt(after=after))
    with pytest.raises(Stop):
        run_panel(cfg, out, plots=False)
    monkeypatch.undo()


def test_resume_recomputes_only_the_unfinished_units(tmp_path, monkeypatch):
    cfg = write_panel(tmp_path)
    run_panel(cfg, tmp_path / "full", plots=False)
    stop = Interrupt(after=7)
    monkeypatch.setattr(engine, "run_task", stop)
    with pytest.raises(Stop):
        run_panel(cfg, tmp_path / "out", plots=False)
    assert not (tmp_path / "out").exists()
    work = tmp_path / ".out.work"
    stored = sorted(work.glob("units/*/*/*.json"))
    assert len(stored) == 7
    assert not list(work.rglob("*.pkl")) and not list(work.rglob("*.pickle"))
    for path in stored:  # JSON whose arrays sit in an .npz beside it
        node = json.loads(path.read_text())
        assert node["arrays"] is None or (path.parent / node["arrays"]).is_file()

    with pytest.raises(ConfigError, match=r"interrupted run .* --resume .* --force"):
        run_panel(cfg, tmp_path / "out", plots=False)  # neither --resume nor --force
    again = Interrupt(after=None)
    monkeypatch.setattr(engine, "run_task", again)
    res = run_panel(cfg, tmp_path / "out", plots=False, resume=True)
    total = len(stop.calls) + len(again.calls)
    fresh = Interrupt(after=None)
    monkeypatch.setattr(engine, "run_task", fresh)
    run_panel(cfg, tmp_path / "count", plots=False)
    assert total == len(fresh.calls)  # each unit computed once over the two runs
    assert res.meta["resumed"] and not work.exists()
    assert res.meta["units"] == {"reused": 7, "computed": len(again.calls)}
    same_outputs(tmp_path / "full", tmp_path / "out")


def test_resume_with_another_jobs_gives_the_same_numbers(tmp_path, monkeypatch):
    cfg = write_panel(tmp_path, n_series=5)
    run_panel(cfg, tmp_path / "full", plots=False)
    interrupt_run(cfg, tmp_path / "out", 4, monkeypatch)
    run_panel(cfg, tmp_path / "out", plots=False, resume=True, jobs=2)
    same_outputs(tmp_path / "full", tmp_path / "out")


def test_a_changed_config_is_refused_with_a_hint(tmp_path, monkeypatch):
    cfg = write_panel(tmp_path)
    interrupt_run(cfg, tmp_path / "out", 3, monkeypatch)
    text = cfg.read_text()
    cfg.write_text(text.replace("horizon = 5", "horizon = 6"))
    with pytest.raises(ConfigError, match=r"cannot resume: the config.*changed.*--force") as err:
        run_panel(cfg, tmp_path / "out", plots=False, resume=True)
    assert "\n" not in str(err.value)
    cfg.write_text(text)
    with pytest.raises(ConfigError, match=r"cannot resume: the config"):  # --no-intervals is a change too
        run_panel(cfg, tmp_path / "out", plots=False, resume=True, intervals=False)
    res = run_panel(cfg, tmp_path / "out", plots=False, force=True)  # starts over
    assert not res.meta["resumed"] and (tmp_path / "out" / "forecast.csv").is_file()


def test_a_damaged_unit_is_named(tmp_path, monkeypatch):
    cfg = write_panel(tmp_path)
    interrupt_run(cfg, tmp_path / "out", 2, monkeypatch)
    victim = sorted((tmp_path / ".out.work").glob("units/*/*/*.json"))[0]
    victim.write_text("{not json")
    with pytest.raises(ConfigError, match=rf"{victim.name}.*damaged.*--force"):
        run_panel(cfg, tmp_path / "out", plots=False, resume=True)


def test_resume_on_a_dask_cluster_gives_the_same_numbers(tmp_path, monkeypatch):
    """Units stored by a local run are reused by a resume on a 2-worker LocalCluster (the
    main process stores what the workers return), and the rest computed there."""
    pytest.importorskip("dask.distributed")
    cfg = write_panel(tmp_path, n_series=4)
    run_panel(cfg, tmp_path / "full", plots=False)
    interrupt_run(cfg, tmp_path / "out", 5, monkeypatch)
    res = run_panel(cfg, tmp_path / "out", plots=False, resume=True, engine="dask")
    assert res.meta["engine"] == "dask" and not (tmp_path / ".out.work").exists()
    same_outputs(tmp_path / "full", tmp_path / "out")
