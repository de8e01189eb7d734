"""Report pages: sections in order, escaping, row classes, markdown marks."""

from __future__ import annotations

from forecastkit.report.html import _html_table, render_html, render_markdown, report_sections


def test_sections_in_reading_order(small_run):
    titles = [s.title for s in report_sections(small_run, small_run.scores, [])]
    assert titles == ["Verdict", "Run", "Data", "Leaderboard", "Forecast value added", "Future forecast", "Plots",
                      "What each model chose",
                      "Timings (seconds, all folds)", "Leakage audit"]  # no failed model: no such section


def test_html_table_escapes_and_marks_rows(tiny_frame):
    table = _html_table(tiny_frame, ["", "baseline"])
    assert "a&lt;b&gt;" in table and "<b>" not in table
    assert table.count('<tr class="baseline">') == 1
    assert '<td class="text">naive</td>' in table


def test_html_page_is_self_contained(small_run):
    page = render_html(small_run, small_run.scores, {"x.png": b"\x89PNG"})
    assert page.startswith("<!DOCTYPE html>") and "<title>forecastkit: small</title>" in page
    assert "http://" not in page and "https://" not in page
    assert "season_length 12" in page  # what seasonal naive chose


def test_markdown_marks_baselines_and_links_plots(small_run):
    md = render_markdown(small_run, small_run.scores, ["forecast_Passengers.png"])
    assert md.startswith("# forecastkit report: small")
    assert "| naive (baseline) |" in md and "![forecast_Passengers.png](plots/forecast_Passengers.png)" in md
