"""Benchmark the framer against the classic pandas shift + concat recipe.

Run: ``python benchmarks/bench_framer.py`` (defaults: 200,000 rows x 20 features,
n_in=24, n_out=30, one target; then all 20 targets on fewer rows, since that
table alone is rows x 1080 doubles). Prints wall time (best of ``--repeat``) and
peak traced memory (tracemalloc, which numpy reports to) of

- ``series_to_supervised`` vs the recipe (``df.shift(i)`` for the inputs,
  ``df[targets].shift(-i)`` for the outputs, ``concat(axis=1)``, ``dropna()``);
- ``make_windows`` vs the recipe followed by reshaping its values into
  ``[samples, n_in, features]`` / ``[samples, n_out, targets]`` arrays;

and the ratios. A table this large is built from views of the input, so two more
lines show the alternatives: ``... as one array`` forces the single-allocation path
used for small tables, and ``... then .to_numpy()`` times both tables followed by
``to_numpy()``, which is where the view-built table assembles its one array.
Goals: ``make_windows`` allocates no copy of the data (memory
ratio near 0); ``series_to_supervised`` is >= 10x faster than the recipe at no
more peak memory.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from unittest import mock

import numpy as np
import pandas as pd

from forecastkit.framing import supervised
from forecastkit.framing.supervised import make_windows, series_to_supervised


def shift_concat(df: pd.DataFrame, n_in: int, n_out: int, targets: list[str]) -> pd.DataFrame:
    """The classic series_to_supervised recipe."""
    cols, names = [], []
    for i in range(n_in - 1, -1, -1):
        cols.append(df.shift(i))
        names += [f"{c}(t-{i})" if i else f"{c}(t)" for c in df.columns]
    for i in range(1, n_out + 1):
        cols.append(df[targets].shift(-i))
        names += [f"{c}(t+{i})" for c in targets]
    table = pd.concat(cols, axis=1)
    table.columns = names
    return table.dropna()


def shift_concat_windows(df, n_in, n_out, targets):
    table = shift_concat(df, n_in, n_out, targets).to_numpy()
    n_x = n_in * df.shape[1]
    X = table[:, :n_x].reshape(len(table), n_in, df.shape[1])
    Y = table[:, n_x:].reshape(len(table), n_out, len(targets))
    return X, Y


def measure(fn, repeat: int):
    """(best wall seconds, peak traced bytes, result)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
        del result
    gc.collect()
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak, result


def compare(label, ours, ref, repeat, check):
    t_ours, m_ours, r_ours = measure(ours, repeat)
    t_ref, m_ref, r_ref = measure(ref, repeat)
    check(r_ours, r_ref)
    del r_ours, r_ref
    mib = 2**20
    print(
        f"  {label:<22} ours {t_ours:8.3f} s {m_ours / mib:9.1f} MiB | "
        f"pandas shift+concat {t_ref:8.3f} s {m_ref / mib:9.1f} MiB | "
        f"speed-up {t_ref / t_ours:7.1f}x  memory ratio {m_ours / m_ref:6.3f}"
    )
    return t_ref / t_ours, m_ours / m_ref


def same_table(ours, ref):
    assert list(ours.columns) == list(ref.columns) and ours.index.equals(ref.index)
    np.testing.assert_array_equal(ours.to_numpy(), ref.to_numpy())


def same_windows(ours, ref):
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a, b)


def run_case(rows, n_feat, n_in, n_out, n_targets, repeat):
    rng = np.random.default_rng(0)
    index = pd.date_range("2000-01-01", periods=rows, freq="h")
    df = pd.DataFrame(
        rng.normal(size=(rows, n_feat)), index=index, columns=[f"x{i}" for i in range(n_feat)]
    )
    targets = list(df.columns[:n_targets])
    width = n_in * n_feat + n_out * n_targets
    print(
        f"{rows:,} rows x {n_feat} features, n_in={n_in}, n_out={n_out}, {n_targets} target(s): "
        f"table {rows - n_in - n_out + 1:,} x {width} "
        f"({(rows - n_in - n_out + 1) * width * 8 / 2**20:.0f} MiB); "
        f"input {df.values.nbytes / 2**20:.0f} MiB"
    )
    s_speed, s_mem = compare(
        "series_to_supervised",
        lambda: series_to_supervised(df, n_in, n_out, targets=targets),
        lambda: shift_concat(df, n_in, n_out, targets),
        repeat,
        same_table,
    )
    with mock.patch.object(supervised, "_VIEW_MIN_CELLS", 1 << 62):
        compare(
            "  ... as one array",
            lambda: series_to_supervised(df, n_in, n_out, targets=targets),
            lambda: shift_concat(df, n_in, n_out, targets),
            repeat,
            same_table,
        )
    compare(
        "  ... then .to_numpy()",
        lambda: series_to_supervised(df, n_in, n_out, targets=targets).to_numpy(),
        lambda: shift_concat(df, n_in, n_out, targets).to_numpy(),
        repeat,
        np.testing.assert_array_equal,
    )
    w_speed, w_mem = compare(
        "make_windows",
        lambda: make_windows(df, n_in, n_out, targets=targets),
        lambda: shift_concat_windows(df, n_in, n_out, targets),
        repeat,
        same_windows,
    )
    X, Y = make_windows(df, n_in, n_out, targets=targets)
    values = df.to_numpy()
    print(
        f"  make_windows views of the data: X {np.shares_memory(X, values)}, "
        f"Y {np.shares_memory(Y, values)}"
    )
    goals = s_speed >= 10 and s_mem <= 1 and w_mem < 0.01
    print(
        f"  goals (series_to_supervised >= 10x at <= memory; make_windows memory ~0): "
        f"{'met' if goals else 'NOT met'}"
    )
    return goals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--n-in", type=int, default=24)
    parser.add_argument("--n-out", type=int, default=30)
    parser.add_argument(
        "--all-targets-rows",
        type=int,
        default=50_000,
        help="rows for the all-targets case (0 to skip)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"numpy {np.__version__}, pandas {pd.__version__}; time: best of {args.repeat}; "
        "memory: tracemalloc peak"
    )
    # Touch a large allocation once so the first measured call does not pay the
    # process's first-use page faults alone.
    np.ones((args.rows, 64)).sum()
    ok = run_case(args.rows, args.features, args.n_in, args.n_out, 1, args.repeat)
    if args.all_targets_rows:
        ok &= run_case(
            args.all_targets_rows, args.features, args.n_in, args.n_out, args.features, args.repeat
        )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
