"""Interval coverage of a panel config (default ``configs/m3-monthly.toml``) at 80% and 95%,
with the models' own intervals (``intervals = "native"``) and with the split-conformal
calibration panel runs make by default: one ``forecastkit run --jobs N`` per (mode, level),
each timed with its peak memory (the process and its workers), then the coverage column of
every leaderboard side by side.

    python benchmarks/bench_panel_coverage.py [--config configs/m3-monthly.toml] [--jobs 2]
        [--modes native conformal] [--levels 0.8 0.95] [--models naive naive2 theta ...]

``--models`` keeps only those ``[[models]]`` (and the combinations of kept models), e.g. the
local models, whose per-series calibration (with the pooled fallback for series short of
windows) is what the interval note measures; the global ones take minutes more.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import run_measured  # noqa: E402

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def only_models(text: str, names: set[str]) -> str:
    """``text`` (a config) without the ``[[models]]`` not in ``names`` and the
    ``[[combinations]]`` with a member not kept."""
    import tomllib

    sections, out = [[]], []
    for line in text.splitlines():
        if line.strip().startswith("["):
            sections.append([])
        sections[-1].append(line)
    for sec in sections:
        head = sec[0].strip() if sec else ""
        body = tomllib.loads("\n".join(sec[1:])) if head in ("[[models]]", "[[combinations]]") else None
        if head == "[[models]]" and body["name"] not in names:
            continue
        if head == "[[combinations]]" and not set(body["members"]) <= names:
            continue
        out += sec
    return "\n".join(out) + "\n"


def variant(config: Path, mode: str, level: float, directory: Path, models: list[str] | None = None) -> Path:
    """A copy of ``config`` whose [forecast] sets ``intervals`` and ``level`` (only ``models``, if given)."""
    import tomllib

    text = config.read_text() if models is None else only_models(config.read_text(), set(models))
    raw = tomllib.loads(text)
    if "forecast" not in raw:
        text = text.replace("[evaluation]", "[forecast]\n[evaluation]", 1)
    lines, out, in_forecast = text.splitlines(), [], False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("["):
            in_forecast = stripped == "[forecast]"
            out.append(line)
            if in_forecast:
                out += [f'intervals = {"true" if mode == "conformal" else chr(34) + mode + chr(34)}',
                        f"level = {level}"]
            continue
        if in_forecast and stripped.split("=")[0].strip() in ("intervals", "level"):
            continue
        out.append(line)
    path = directory / f"{config.stem}-{mode}-{level}.toml"
    path.write_text("\n".join(out) + "\n")
    return path


def main() -> None:
    import pandas as pd

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=Path("configs/m3-monthly.toml"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--modes", nargs="+", default=["native", "conformal"])
    ap.add_argument("--levels", nargs="+", type=float, default=[0.8, 0.95])
    ap.add_argument("--models", nargs="+", default=None, help="only these [[models]] of the config")
    args = ap.parse_args()
    config = args.config.resolve()
    rows, cover = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for mode in args.modes:
            for level in args.levels:
                cfg, out = variant(config, mode, level, tmp, args.models), tmp / f"run-{mode}-{level}"
                wall, peak = run_measured([sys.executable, "-m", "forecastkit.cli.app", "run", str(cfg), "-o",
                                           str(out), "--jobs", str(args.jobs), "--no-plots", "--quiet"],
                                          f"{mode} at {level}")
                board = pd.read_csv(out / "leaderboard.csv")
                cover[(mode, level)] = board.set_index("model")["coverage"]
                rows.append({"intervals": mode, "level": level, "wall_s": round(wall, 1), "peak_MiB": round(peak),
                             "best": board["model"].iloc[0], "best_owa": round(board["owa"].iloc[0], 4)})
                print(rows[-1], flush=True)
    print(pd.DataFrame(rows).to_string(index=False))
    table = pd.DataFrame({f"{m} {100 * lv:g}%": c for (m, lv), c in cover.items()})
    print("\ncoverage of the test values (share inside the interval):")
    print(table.to_string(float_format=lambda v: f"{100 * v:.1f}"))


if __name__ == "__main__":
    main()
