"""Start-up is part of speed: TensorFlow is imported only when a neural model is built."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import forecastkit


def _python(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.parametrize("name", sorted(set(forecastkit.__all__) - {"__version__"}))
def test_every_public_name_resolves(name):
    import importlib

    value = getattr(forecastkit, name)
    # the name is the object its module defines under that name (callable or a class)
    assert value is getattr(importlib.import_module(forecastkit._EXPORTS[name]), name)
    assert callable(value) and value.__name__ == name


def test_cli_help_and_registry_do_not_import_tensorflow():
    out = _python("""
        import sys
        from typer.testing import CliRunner
        from forecastkit.cli.app import app
        assert CliRunner().invoke(app, ["--help"]).exit_code == 0
        assert CliRunner().invoke(app, ["models"]).exit_code == 0
        print("tensorflow" in sys.modules, "keras" in sys.modules, "statsmodels.api" in sys.modules)
    """)
    assert out == "False False False"


def test_a_run_without_neural_models_does_not_import_tensorflow(tmp_path):
    out = _python(f"""
        import sys
        import numpy as np, pandas as pd
        from forecastkit.config import parse_config
        from forecastkit.runs.loop import run_experiment
        idx = pd.date_range("2000-01-01", periods=48, freq="MS")
        pd.DataFrame({{"month": idx.strftime("%Y-%m"), "y": np.arange(48.0) % 12 + 10}}).to_csv(r"{tmp_path}/d.csv", index=False)
        cfg = parse_config({{
            "data": {{"path": r"{tmp_path}/d.csv", "target": "y"}},
            "evaluation": {{"scheme": "rolling", "horizon": 6, "folds": 2}},
            "models": [{{"name": "sn", "type": "seasonal_naive", "season_length": 12}},
                       {{"name": "r", "type": "ridge", "n_in": 12}}],
        }})
        result = run_experiment(cfg)
        assert not any(r.error for r in result.model_runs)
        print("tensorflow" in sys.modules)
    """)
    assert out == "False"


def test_cli_help_imports_no_rich_rendering_or_numerics():
    """--help is plain click help: no rich markdown/pygments, no numpy or pandas."""
    out = _python("""
        import sys
        from typer.testing import CliRunner
        from forecastkit.cli.app import app
        result = CliRunner().invoke(app, ["--help"])
        assert result.exit_code == 0 and "run" in result.output
        print(sorted(m for m in ("rich.markdown", "pygments", "numpy", "pandas", "typer.rich_utils") if m in sys.modules))
    """)
    assert out == "[]"
