"""Report plots: which models and evaluation they show, and valid PNGs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from forecastkit.report.plots import (  # noqa: E402
    MAX_FORECAST_MODELS,
    _shown_evaluation,
    error_by_horizon_figure,
    forecast_figure,
    leaderboard_figure,
    make_plots,
    shown_models,
    to_png,
)

PNG = b"\x89PNG\r\n\x1a\n"


def test_make_plots_gives_a_png_per_view_and_target(small_run):
    images = make_plots(small_run, small_run.scores)
    # all three models are baselines: the forecast plot shows the winner and the best other baseline,
    # the third goes to the small multiples
    assert sorted(images) == ["error_by_horizon_Passengers.png", "forecast_Passengers.png",
                              "forecast_others_Passengers.png", "leaderboard_Passengers.png"]
    assert all(png.startswith(PNG) and len(png) > 1000 for png in images.values())


def test_forecast_figure_shows_the_best_models_of_the_rolling_evaluation(small_run):
    board = small_run.scores.leaderboard
    assert _shown_evaluation(board) == "rolling"
    assert _shown_evaluation(board[board["evaluation"] == "holdout"]) == "holdout"
    labels = forecast_figure(small_run, board, "Passengers").axes[0].get_legend_handles_labels()[1]
    ranked = list(board[board["evaluation"] == "rolling"]["model"])
    assert shown_models(board, "Passengers", "rolling") == ranked[:2]  # the winner, then the best other baseline
    assert labels[0] == "Passengers (observed)"
    assert labels[1] == f"{ranked[0]} [winner]" and f"{ranked[1]} [baseline]" in labels
    assert f"{ranked[0]} 95% interval" in labels and not any(ranked[2] in label for label in labels)
    assert len(shown_models(board, "Passengers", "rolling")) <= MAX_FORECAST_MODELS


def test_leaderboard_and_horizon_figures(small_run):
    board = small_run.scores.leaderboard
    fig = leaderboard_figure(board, "Passengers")
    assert len(fig.axes) == 2  # one panel per evaluation
    assert len(fig.axes[1].patches) == 3  # one bar per model
    fig = error_by_horizon_figure(small_run.scores.by_horizon, "Passengers")
    assert to_png(fig).startswith(PNG)
    empty = leaderboard_figure(board.iloc[0:0], "Passengers")
    assert "no successful model" in empty.axes[0].texts[0].get_text()
