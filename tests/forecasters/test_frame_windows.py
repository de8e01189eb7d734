"""frame_windows (strided views of the arrays) equals the windows of the public
framer, make_windows, aligned on their origins."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from forecastkit.forecasters._reduction_strategies import frame_windows
from forecastkit.framing.supervised import make_windows


def _reference(Z, P, F, n_in, n_past, n_out, past_outputs):
    k, p, f = Z.shape[1], P.shape[1], F.shape[1]
    n_past = n_past if p else 0
    start = max(n_in, n_past) - 1
    S = len(Z) - start - n_out
    zc, pc, fc = ([f"{c}{j}" for j in range(w)] for c, w in (("z", k), ("p", p), ("f", f)))
    frame = pd.DataFrame(np.hstack([Z, P, F]), columns=zc + pc + fc)
    Xz, Y = make_windows(frame, n_in, n_out, targets=zc + (pc if past_outputs else []), features=zc)
    lo = start - (n_in - 1)
    out = {"Z": Xz[lo:lo + S], "Y": Y[lo:lo + S], "origins": np.arange(start, start + S)}
    if p:
        out["P"] = make_windows(frame, n_past, 0, targets=pc, features=pc)[0][start - n_past + 1:start - n_past + 1 + S]
    if f:
        out["F"] = make_windows(frame, 1, n_out, targets=fc, features=fc)[1][start:start + S]
    return out


@settings(max_examples=60, deadline=None)
@given(n=st.integers(12, 40), k=st.integers(1, 2), p=st.integers(0, 2), f=st.integers(0, 2),
       n_in=st.integers(1, 4), n_past=st.integers(1, 4), n_out=st.integers(1, 5), past_outputs=st.booleans(),
       seed=st.integers(0, 1000))
def test_frame_windows_equals_make_windows(n, k, p, f, n_in, n_past, n_out, past_outputs, seed):
    rng = np.random.default_rng(seed)
    Z, P, F = rng.normal(size=(n, k)), rng.normal(size=(n, p)), rng.normal(size=(n, f))
    w = frame_windows(Z, P, F, n_in, n_past, n_out, past_outputs)
    ref = _reference(Z, P, F, n_in, n_past, n_out, past_outputs)
    np.testing.assert_array_equal(w.Z, ref["Z"])
    np.testing.assert_array_equal(w.Y, ref["Y"])
    np.testing.assert_array_equal(w.origins, ref["origins"])
    assert w.P.shape[0] == w.F.shape[0] == len(w.Z)
    if p:
        np.testing.assert_array_equal(w.P, ref["P"])
    if f:
        np.testing.assert_array_equal(w.F, ref["F"])
    else:
        assert w.F.shape == (len(w.Z), n_out, 0)
