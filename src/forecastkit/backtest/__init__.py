"""forecastkit.backtest: fold plans, the backtest engine and accuracy metrics."""

from forecastkit.backtest.engine import run_backtest
from forecastkit.backtest.metrics import point_metrics, score
from forecastkit.backtest.results import ModelRun, RunResult
from forecastkit.backtest.splits import Fold, holdout_folds, rolling_folds

__all__ = [
    "Fold", "ModelRun", "RunResult", "holdout_folds", "point_metrics", "rolling_folds", "run_backtest", "score",
]
