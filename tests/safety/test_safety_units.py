"""Unit checks of forecastkit.safety: names, regressor classes, limits, umask, labels."""

from __future__ import annotations

import os
import stat

import numpy as np
import pandas as pd
import pytest

from forecastkit.errors import ConfigError, DataError, ForecastkitTypeError
from forecastkit.safety.classes import resolve_regressor_class
from forecastkit.safety.limits import cap_jobs, check_data_source, check_horizon_memory, cpu_count
from forecastkit.safety.rundirs import check_run_name


@pytest.mark.parametrize("name", [".", "..", "a/b", "/tmp/x", "a\\b", ""])
def test_run_name_must_be_a_label(name):
    with pytest.raises(ValueError, match="plain label"):
        check_run_name(name)


def test_plain_run_name_passes():
    assert check_run_name("airline-2024.v1") == "airline-2024.v1"


@pytest.mark.parametrize("path", ["subprocess.Popen", "os.system", "builtins.eval", "sklearn_fake.X"])
def test_regressor_outside_allowed_modules_is_refused_before_import(path):
    with pytest.raises(ConfigError, match="regressor_modules"):
        resolve_regressor_class(path)


def test_non_regressor_class_from_sklearn_is_refused():
    with pytest.raises(ForecastkitTypeError, match="not a scikit-learn regressor"):
        resolve_regressor_class("sklearn.preprocessing.StandardScaler")
    with pytest.raises(ForecastkitTypeError, match="not a scikit-learn regressor"):
        resolve_regressor_class("collections.OrderedDict", modules=["collections"])


def test_listed_module_and_sklearn_regressors_resolve():
    from sklearn.linear_model import Lasso

    assert resolve_regressor_class("sklearn.linear_model.Lasso") is Lasso
    assert resolve_regressor_class("sklearn.linear_model:Lasso", modules=["lightgbm"]) is Lasso


def test_popen_regressor_never_runs(tmp_path):
    from forecastkit.forecasters.reduction import ReductionForecaster

    marker = tmp_path / "pwned"
    y = pd.Series(np.arange(40.0), index=pd.date_range("2000-01", periods=40, freq="MS"))
    model = ReductionForecaster(regressor="subprocess.Popen", regressor_params={"args": ["touch", str(marker)]}, n_in=3)
    with pytest.raises(ConfigError):
        model.min_train_size()
    with pytest.raises(ConfigError):
        model.fit(y)
    assert not marker.exists()


def test_non_regular_data_files_are_refused(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        check_data_source(fifo)
    with pytest.raises(DataError, match="not a regular file"):
        check_data_source("/dev/zero")
    with pytest.raises(DataError, match="is a directory"):
        check_data_source(tmp_path)
    check_data_source("airline-passengers")  # a shipped dataset name


def test_horizon_that_cannot_fit_in_memory_is_refused():
    with pytest.raises(DataError, match="GiB"):
        check_horizon_memory(100_000_000, 1)
    check_horizon_memory(1000, 3)


def test_jobs_capped_at_cpu_count():
    with pytest.warns(UserWarning, match="capped"):
        assert cap_jobs(1000) == cpu_count()
    assert cap_jobs(1) == 1


def test_atomic_write_honours_umask(tmp_path):
    from forecastkit._io import atomic_write_text

    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "x.csv", "a\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_plot_labels_of_distinct_targets_differ():
    from forecastkit.report.plots import file_label

    assert file_label("a/b") != file_label("a_b")
    assert file_label("sales") == "sales"
    assert "/" not in file_label("a/b")
