"""report.html as a user sees it: rendered by headless Chromium (Debian's ``chromium``).

The page must load without console errors, open with the verdict, and every embedded
image must decode. Skipped when Chromium is not installed (CI installs it).
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from forecastkit.backtest.engine import run_backtest
from forecastkit.backtest.results import RunResult
from forecastkit.backtest.splits import holdout_folds, rolling_folds
from forecastkit.forecasters.baselines import DriftForecaster, NaiveForecaster, SeasonalNaiveForecaster
from forecastkit.report import write_report

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]


def _chromium(*args: str) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    return subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=120)


def _future(forecaster, name, y, h):
    p = forecaster.fit(y).predict_interval(h)
    t = y.columns[0]
    return pd.DataFrame({"model": name, "target": t, "timestamp": p.index, "step": np.arange(1, h + 1),
                         "forecast": p[t].to_numpy(), "lower": p[f"{t}_lower"].to_numpy(),
                         "upper": p[f"{t}_upper"].to_numpy()})


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    n = 84
    t = np.arange(n, dtype=float)
    idx = pd.date_range("2000-01-01", periods=n, freq="MS")
    y = pd.DataFrame({"sales": 50 + t + 8 * np.sin(2 * np.pi * t / 12)
                      + np.random.default_rng(0).normal(0, 1, n)}, index=idx)
    models = [("naive", "naive", NaiveForecaster()), ("snaive", "seasonal_naive", SeasonalNaiveForecaster(12)),
              ("drift", "drift", DriftForecaster())]
    plans = {"holdout": holdout_folds(n, 1, test_size=24), "rolling": rolling_folds(n, 6, folds=4)}
    runs = [run_backtest(f, y, None, folds, name=name, type_name=kind, evaluation=ev)
            for ev, folds in plans.items() for name, kind, f in models]
    future = pd.concat([_future(f.clone(), name, y, 6) for name, _, f in models], ignore_index=True)
    run = RunResult(name="browser", config={"forecast": {"level": 0.9}}, seed=1, data=y, targets=["sales"],
                    season_length=12, metric="mae", model_runs=runs, future=future)
    out = tmp_path_factory.mktemp("browser")
    write_report(run, out)
    return out / "report.html"


def test_page_loads_without_console_errors_and_opens_with_the_verdict(report):
    done = _chromium("--dump-dom", report.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    # every console message of the page (errors, uncaught exceptions) is logged as CONSOLE
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    dom = done.stdout
    headings = re.findall(r"<h2>(.*?)</h2>", dom)
    assert headings[0] == "Verdict" and "Leaderboard" in headings
    assert dom.index("<h1>") < dom.index("<h2>Verdict</h2>") < dom.index("<h2>Run</h2>")
    assert "best is" in dom and "(90%)" in dom  # the level is stated in the headers


def test_every_image_decodes(report):
    from PIL import Image

    dom = _chromium("--dump-dom", report.as_uri()).stdout
    sources = re.findall(r'src="data:image/png;base64,([^"]+)"', dom)
    assert len(sources) >= 3
    for data in sources:
        image = Image.open(io.BytesIO(base64.b64decode(data)))
        image.load()  # decodes every pixel
        assert image.width > 200 and image.height > 100


def test_screenshot_renders(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "page.png"
    done = _chromium(f"--screenshot={shot}", "--window-size=1280,3000", report.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert("L"))
    assert pixels.shape == (3000, 1280) and pixels.std() > 5  # not a blank page
