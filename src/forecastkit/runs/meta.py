"""What a run records about itself: versions, machine, timings, the data it read
(``run.json``), and the fingerprint a resumed run is checked against."""

from __future__ import annotations

import os
import platform

from forecastkit.config.schema import RunConfig
from forecastkit.runs.inputs import Dataset


def run_meta(cfg: RunConfig, data: Dataset, jobs: int, seconds: float, future_errors: dict[str, str],
             future_seconds: dict[str, float], horizon: int) -> dict:
    """The ``run.json`` facts about the environment, timings and data of a run."""
    import importlib.metadata as md

    versions = {}
    for pkg in ("forecastkit", "numpy", "pandas", "scikit-learn", "statsmodels", "tensorflow", "keras"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    idx = data.frame.index
    return {
        "versions": versions,
        "python": platform.python_version(),
        "machine": {"platform": platform.platform(), "processor": platform.machine(), "cpus": os.cpu_count()},
        "jobs": jobs,
        "wall_seconds": round(seconds, 3),
        "future_horizon": horizon,
        "future_errors": future_errors,
        "future_fit_seconds": {k: round(v, 4) for k, v in future_seconds.items()},
        "data": {
            "source": str(data.frame.attrs.get("source", cfg.data.path)),
            "rows": len(idx),
            "start": str(idx[0]),
            "end": str(idx[-1]),
            "frequency": str(data.frame.attrs.get("freq", getattr(idx.freq, "freqstr", idx.freq))),
            "targets": data.targets,
            "past_covariates": data.past,
            "future_covariates": data.future,
            "filled": data.frame.attrs.get("filled"),
        },
    }


def run_fingerprint(cfg: RunConfig, models: list[str] | None) -> str:
    """Fingerprint of what a run computes: config, data file bytes, model selection."""
    from forecastkit.data.datasets import resolve_source
    from forecastkit.runs.state import fingerprint

    files = [resolve_source(cfg.data.path)[0]]
    if cfg.forecast.covariates_path:
        files.append(resolve_source(cfg.forecast.covariates_path)[0])
    return fingerprint(cfg.model_dump(mode="json"), files, models)
