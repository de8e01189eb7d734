"""Wall time of the shipped configs end to end (`forecastkit run`, plots included).

Targets: configs/airline.toml (neural models included) under 90 s and
configs/temperatures-30d.toml under 5 minutes on 2 CPU cores. Prints, per config, the
wall time and peak RSS of the whole command, and per model its fit and predict seconds
summed over folds (from the run's leaderboard) and the final refit.

    python benchmarks/bench_run.py [configs/airline.toml ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["configs/airline.toml", "configs/temperatures-30d.toml", "configs/pollution-30d.toml"]
TARGET_SECONDS = {"airline": 90, "temperatures-30d": 300}
_WRAPPER = (
    "import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(r.returncode)"
)


def main(configs: list[str]) -> None:
    for config in configs:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "run"
            t0 = time.perf_counter()
            # A wrapper process reports the peak RSS of this run alone (RUSAGE_CHILDREN
            # of the parent would keep the maximum over all configs).
            proc = subprocess.run(
                [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "forecastkit.cli.app", "run",
                 str(ROOT / config), "-o", str(out), "--quiet"],
                capture_output=True, text=True, cwd=ROOT,
            )
            wall = time.perf_counter() - t0
            peak = float(proc.stderr.strip().splitlines()[-1]) / 1024
            if proc.returncode != 0:
                print(f"{config}: FAILED ({proc.returncode}): {proc.stderr.strip()}")
                continue
            name = json.loads((out / "run.json").read_text())["name"]
            target = TARGET_SECONDS.get(name)
            verdict = f"target < {target} s: {'met' if wall < target else 'MISSED'}" if target else ""
            print(f"\n{config}: wall {wall:.1f} s, peak RSS {peak:.0f} MiB  {verdict}")
            board = pd.read_csv(out / "leaderboard.csv")
            meta = json.loads((out / "run.json").read_text())
            per_model = board.groupby("model")[["fit_seconds", "predict_seconds"]].sum()
            per_model["final_refit"] = pd.Series(meta.get("future_fit_seconds", {}))
            per_model["total"] = per_model.sum(axis=1)
            print(per_model.sort_values("total", ascending=False).round(2).to_string())


if __name__ == "__main__":
    main(sys.argv[1:] or DEFAULT)
