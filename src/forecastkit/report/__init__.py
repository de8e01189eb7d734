"""forecastkit.report: leaderboard tables, plots and the report files of a run."""

from forecastkit.report.tables import format_leaderboard
from forecastkit.report.writer import write_report

__all__ = ["format_leaderboard", "write_report"]
