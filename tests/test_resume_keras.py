"""`--resume` equals an uninterrupted run for neural models too (deterministic
training seeded per model from the run seed and the model name)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.keras

CONFIG = """
name = "airline-tutorial-tiny"
seed = 7
[data]
path = "airline-passengers"
target = "Passengers"
[evaluation]
scheme = "holdout"
test_size = 0.33
horizon = 1
skip_first = 1
skip_last = 1
[[models]]
name = "persistence"
type = "naive"
[[models]]
name = "lstm-window"
type = "lstm"
horizon = 1
variant = "window"
n_in = 3
units = [4]
epochs = 3
batch_size = 8
validation_fraction = 0.0
scaler = "minmax"
dropout = 0.2
"""


def _board(result):
    from forecastkit.backtest.metrics import score

    return score(result).leaderboard.sort_values(["model", "evaluation"]).reset_index(drop=True)


def test_interrupted_and_resumed_equals_clean(tmp_path):
    from forecastkit.config.schema import load_config
    from forecastkit.runs.loop import UnitsDone, run_experiment
    from forecastkit.runs.meta import run_fingerprint
    from forecastkit.runs.state import RunState

    path = tmp_path / "tiny.toml"
    path.write_text(CONFIG)
    cfg = load_config(path)
    out = tmp_path / "out"
    digest = run_fingerprint(cfg, None)

    count = {"n": 0}

    def stop_midway(event):  # Ctrl-C after the first lstm folds are stored
        if isinstance(event, UnitsDone):
            count["n"] += event.units
            if count["n"] == 60:
                raise KeyboardInterrupt

    state = RunState.open(out, digest, resume=False, force=False)
    with pytest.raises(KeyboardInterrupt):
        run_experiment(cfg, progress=stop_midway, state=state)
    state = RunState.open(out, digest, resume=True, force=False)
    resumed = _board(run_experiment(cfg, state=state))
    clean = _board(run_experiment(cfg))
    numeric = resumed.select_dtypes("number").columns.drop(["fit_seconds", "predict_seconds"], errors="ignore")
    np.testing.assert_allclose(resumed[numeric].to_numpy(float), clean[numeric].to_numpy(float), rtol=0, atol=1e-9)
