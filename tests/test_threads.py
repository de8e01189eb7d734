"""The run's thread limit covers every BLAS / OpenMP library loaded during the run,
in this process and in joblib workers (checked in fresh interpreters, where scipy's
own OpenBLAS and scikit-learn's OpenMP load only once a model runs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")

_RUN = r"""
import json, os, sys
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.pop(name, None)
from threadpoolctl import threadpool_info
from forecastkit.config.schema import RunConfig
from forecastkit.runs.loop import run_experiment

before = [i["filepath"] for i in threadpool_info()]
cfg = RunConfig.model_validate({
    "data": {"path": "airline-passengers", "target": "Passengers"},
    "evaluation": [{"scheme": "rolling", "horizon": 6, "folds": 2}],
    "models": [{"name": "ridge", "type": "ridge", "strategy": "direct", "n_in": 12},
               {"name": "arima", "type": "arima", "order": [1, 1, 0]}],
})
seen = []
run_experiment(cfg, progress=lambda event: seen.append(threadpool_info()))
after = threadpool_info()
print(json.dumps({"before": before, "during": seen[-1], "env": os.environ.get("OPENBLAS_NUM_THREADS"),
                  "after_scipy": [i for i in after if "scipy.libs" in i["filepath"]]}))
"""

_WORKERS = r"""
import json, os
for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.pop(name, None)
from joblib import Parallel, delayed
from forecastkit._threads import limit_threads, limited
from forecastkit.runs.loop import _future_task  # noqa: F401  (the loop's own imports)

def probe(seed):
    # a ridge and an ARIMA fit inside the worker, then what the worker's pools say
    import numpy as np
    from threadpoolctl import threadpool_info
    from forecastkit.forecasters.registry import make_forecaster
    import pandas as pd
    y = pd.DataFrame({"y": np.cumsum(np.random.default_rng(seed).normal(size=80))},
                     index=pd.date_range("2000-01-01", periods=80, freq="D"))
    make_forecaster("ridge", n_in=5, strategy="direct").fit(y).predict(3)
    make_forecaster("arima", order=(1, 1, 0)).fit(y).predict(3)
    return threadpool_info()

with limit_threads(1):
    out = Parallel(n_jobs=2)(delayed(limited(probe))(s) for s in range(2))
print(json.dumps(out))
"""


def _python(code: str) -> dict:
    env = {**os.environ, "PYTHONPATH": SRC}
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_every_pool_loaded_during_a_run_has_one_thread():
    out = _python(_RUN)
    during = out["during"]
    paths = [i["filepath"] for i in during]
    # scipy's OpenBLAS was loaded by the models, after the run's limit began
    late = [p for p in paths if p not in out["before"]]
    assert any("scipy" in p for p in late), paths
    assert {i["num_threads"] for i in during} == {1}, during
    assert out["env"] is None  # the run restores the environment it changed


def test_joblib_workers_limit_every_pool():
    for info in _python(_WORKERS):
        assert info, "threadpool_info saw no library in the worker"
        assert {i["num_threads"] for i in info} == {1}, info
