"""The report page, rendered as self-contained HTML and as markdown.

Both renderings come from one list of sections (:func:`report_sections`), so they
always carry the same content: the HTML embeds the plots as base64 data URIs, the
markdown links them from ``plots/``.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from forecastkit.backtest.metrics import Scores
from forecastkit.backtest.results import RunResult
from forecastkit.report import tables as T
from forecastkit.report.scored_tables import future_table, mape_note, scored_display
from forecastkit.report.value_added import value_added_display, value_added_table
from forecastkit.report.verdict import Verdict, build_verdict, future_horizon

_LEADERBOARD_COLUMNS = [
    "model", "type", "target", "mae", "rmse", "mape", "smape", "mase", "rel_mase", "skill", "skill_snaive",
    "coverage", "coverage_flag", "winkler", "pinball", "n_forecasts", "error",
]
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1200px;
color:#222;padding:0 1em;line-height:1.4}
h1{border-bottom:2px solid #444;padding-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{border:1px solid #ccc;padding:.25em .55em;text-align:right;white-space:nowrap}
th{background:#f0f0f0}td.text,th.text{text-align:left}
tr.baseline td{background:#f4f4f4;color:#555}tr.failed td{background:#fdecea}tr.leak td{background:#fdecea}
img{max-width:100%;border:1px solid #ddd;margin:.5em 0}p.note{color:#555;font-size:.9em}
details summary{cursor:pointer;color:#225}
div.scroll{overflow-x:auto;max-width:100%}div.scroll td.text{white-space:normal;min-width:8em}
section.verdict{background:#f3f7fb;border:1px solid #b8cde0;border-radius:4px;padding:.2em 1em .6em}
p.lead{font-size:1.02em;font-weight:600;margin-bottom:.2em}section.verdict ul{margin-top:.2em}
"""
_TEXT_COLUMNS = {"model", "type", "target", "evaluation", "error", "folds", "chose",
                 "fit span", "history", "transforms", "test start", "status", "label", "value"}


@dataclass
class Block:
    kind: str  # "text" | "note" | "table" | "image" | "kv"
    content: Any
    row_classes: list[str] = field(default_factory=list)
    collapse: bool = False


@dataclass
class Section:
    title: str
    blocks: list[Block]
    level: int = 2


def _leaderboard_blocks(run: RunResult, board: pd.DataFrame) -> list[Block]:
    from forecastkit.backtest.metrics import run_level

    with_intervals = run_level(run) is not None
    blocks = [Block("note", (
        f"Sorted by {run.metric}. Errors are in the data's units; mape and smape in %. "
        "skill = 1 - RMSE / RMSE of persistence (the last observed value) at the same origins; "
        "skill_snaive: the same against the seasonal "
        f"naive forecast (m = {run.season_length}); both benchmark RMSEs are given per evaluation (and in "
        f"leaderboard.csv{' with the interval width' if with_intervals else ''}). mase divides by the "
        "in-sample seasonal-naive MAE "
        "of each fold's training window; rel_mase = MASE / MASE of the seasonal naive forecast. "
        + ("Interval scores at the stated level: winkler = width + (2 / alpha) x each miss; pinball at the "
           "interval's quantiles; the coverage flag marks coverage more than 5 points off the level that a "
           "binomial test also rejects (at 5%), counting the steps of one origin's forecast path as correlated "
           "outcomes, not independent ones. " if with_intervals else "Point forecasts only (intervals = false). ")
        + "Baseline models are shaded."
    ))]
    note = mape_note(run)
    if note:
        blocks.append(Block("note", note))
    if board.empty:
        return blocks + [Block("text", "No models were evaluated.")]
    for evaluation in dict.fromkeys(board["evaluation"]):
        sub = board[board["evaluation"] == evaluation].reset_index(drop=True)
        cols = [c for c in _LEADERBOARD_COLUMNS if not (c == "target" and len(run.targets) == 1)]
        classes = ["failed" if isinstance(e, str) and e else ("baseline" if t in T.BASELINE_TYPES else "")
                   for e, t in zip(sub["error"], sub["type"])]
        refs = "; ".join(f"{t}: persistence RMSE {T.fmt(g['rmse_naive'].median())}, seasonal naive RMSE "
                         f"{T.fmt(g['rmse_snaive'].median())}" for t, g in sub.groupby("target", sort=False))
        blocks.append(Block("text", f"Evaluation: {evaluation} ({refs})"))
        blocks.append(Block("table", scored_display(run, sub, cols), classes))
    return blocks


def _verdict_blocks(verdict: Verdict) -> list[Block]:
    if not verdict.items:
        return [Block("lead", line) for line in verdict.lines()]
    blocks = []
    for item in verdict.items:
        head, *rest = item.sentences()
        blocks += [Block("lead", head), Block("list", rest)]
    return blocks + [Block("lead", line) for line in verdict.reconcile]


def _value_added_blocks(run: RunResult, scores: Scores) -> list[Block]:
    table = value_added_table(run, scores)
    if table.empty:
        return [Block("text", "No models were evaluated.")]
    blocks = [Block("note", (
        f"Improvement in {table['metric'].iloc[0]} over persistence and over seasonal naive "
        f"(m = {run.season_length}), both computed from the data at the same origins: positive = the model "
        "adds value, % of the benchmark's value in brackets; * = significant at 5% (Diebold-Mariano with the "
        "Harvey correction on per-origin losses)."
    ))]
    for (evaluation, target), sub in table.groupby(["evaluation", "target"], sort=False):
        label = f"Evaluation: {evaluation}" + (f", target {target}" if len(run.targets) > 1 else "")
        classes = ["baseline" if t in T.BASELINE_TYPES else "" for t in sub["type"]]
        blocks += [Block("text", label), Block("table", value_added_display(sub), classes)]
    return blocks


def _future_blocks(run: RunResult, board: pd.DataFrame, verdict: Verdict) -> list[Block]:
    """Per target: the verdict's winners' future values (the first with its bounds),
    topped up with the next models to three columns."""
    blocks = []
    fut = run.future
    if fut is None or not {"model", "target"} <= set(fut.columns):
        fut = pd.DataFrame(columns=["model", "target"])
    for target in run.targets:
        winners = list(dict.fromkeys(v.best for v in verdict.items if v.target in ("", target)))
        primary = verdict.primary(target, future_horizon(run))
        if primary is not None:  # the winner to act on first
            winners = [primary.best] + [w for w in winners if w != primary.best]
        ranked_models = board[(board["target"] == target)
                              & (board["evaluation"] == (primary.evaluation if primary else None))]["model"]
        rest = [m for m in dict.fromkeys([*ranked_models, *fut.loc[fut["target"] == target, "model"]])
                if m not in winners]
        models = [m for m in winners + rest if (fut["model"] == m).any()][: max(3, len(winners))]
        table = future_table(run, target, models)
        if table.empty:
            continue
        bounds = " with its interval" if any(c.startswith("lower") for c in table.columns) else ""
        beside = f", beside {', '.join(models[1:])}" if len(models) > 1 else ""
        blocks.append(Block("text", f"{target}: {models[0]}{bounds}{beside}."))
        blocks.append(Block("table", T.display_frame(table, drop_empty=False)))
    return blocks or [Block("text", "No future forecasts were made.")]


def report_sections(run: RunResult, scores: Scores, image_names: list[str]) -> list[Section]:
    """The content of the report, independent of the output format."""
    board = scores.leaderboard
    verdict = build_verdict(run, scores)
    sections = [Section("Verdict", _verdict_blocks(verdict))]
    about = [("run", run.name), ("metric", run.metric),
             ("evaluations", ", ".join(dict.fromkeys(mr.evaluation for mr in run.model_runs)) or "-")]
    for key in ("versions", "python", "machine", "jobs", "wall_seconds"):
        value = run.meta.get(key)
        if isinstance(value, dict):
            about.append((key, ", ".join(f"{k} {v}" for k, v in value.items() if v is not None)))
        elif value:
            about.append((key, str(value)))
    sections.append(Section("Run", [Block("kv", about)]))
    sections.append(Section("Data", [Block("kv", T.data_summary(run))]))
    sections.append(Section("Leaderboard", _leaderboard_blocks(run, board)))
    sections.append(Section("Forecast value added", _value_added_blocks(run, scores)))
    sections.append(Section("Future forecast", _future_blocks(run, board, verdict)))
    sections.append(Section("Plots", [Block("image", name) for name in image_names]
                            or [Block("text", "Plots were not drawn.")]))
    chosen = T.choices_table(run)
    sections.append(Section("What each model chose", [Block("table", T.display_frame(chosen, drop_empty=False))]
                            if len(chosen) else [Block("text", "No model in this run reports its choices.")]))
    timings = T.timings_table(run)
    if len(board) and len(timings):  # in leaderboard order (the config's metric) within each evaluation
        rank = {(e, m): i for i, (e, m) in enumerate(zip(board["evaluation"], board["model"]))}
        timings = timings.iloc[sorted(range(len(timings)), key=lambda i: (
            timings["evaluation"].iloc[i], rank.get((timings["evaluation"].iloc[i], timings["model"].iloc[i]), 1 << 30)
        ))].reset_index(drop=True)
    sections.append(Section("Timings (seconds, all folds)", [Block("table", T.display_frame(timings, drop_empty=False),
                                                                  ["failed" if s == "failed" else "" for s in timings["status"]])]))
    errors = T.errors_table(run)
    if len(errors):
        sections.append(Section("Failed models", [Block("table", T.display_frame(errors, drop_empty=False),
                                                        ["failed"] * len(errors))]))
    audit = T.audit_table(run)
    audit_blocks = [Block("text", T.audit_summary(run)), Block("note", (
        "Per model and fold: the rows the parameters were fitted on, the history given to the forecaster, "
        "the rows every fitted transform/scaler saw, and the first test timestamp. A fold is leak-free when "
        "every one of those ends before the test start."
    ))]
    if len(audit):
        audit_blocks.append(Block("table", T.display_frame(audit, drop_empty=False),
                                  ["" if ok else "leak" for ok in audit["leak_free"]], collapse=len(audit) > 30))
    sections.append(Section("Leakage audit", audit_blocks))
    return sections


# --------------------------------------------------------------------------- HTML
def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _html_table(df: pd.DataFrame, row_classes: list[str]) -> str:
    def cls(col: str) -> str:
        return ' class="text"' if col in _TEXT_COLUMNS else ""

    head = "".join(f"<th{cls(c)}>{_e(c)}</th>" for c in df.columns)
    rows = []
    for i, row in enumerate(df.itertuples(index=False)):
        rc = row_classes[i] if i < len(row_classes) and row_classes[i] else ""
        cells = "".join(f"<td{cls(c)}>{_e(v)}</td>" for c, v in zip(df.columns, row))
        rows.append(f'<tr class="{rc}">{cells}</tr>' if rc else f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(run: RunResult, scores: Scores, images: dict[str, bytes]) -> str:
    """One self-contained HTML page; ``images`` maps plot file names to PNG bytes."""
    parts = [f"<h1>forecastkit report: {_e(run.name)}</h1>"]
    for section in report_sections(run, scores, list(images)):
        css = section.title.lower().replace(" ", "-")
        parts.append(f'<section class="{"verdict" if section.title == "Verdict" else css}">')
        parts.append(f"<h{section.level}>{_e(section.title)}</h{section.level}>")
        for b in section.blocks:
            if b.kind == "lead":
                parts.append(f'<p class="lead">{_e(b.content)}</p>')
            elif b.kind == "list":
                parts.append("<ul>" + "".join(f"<li>{_e(item)}</li>" for item in b.content) + "</ul>")
            elif b.kind == "text":
                parts.append(f"<p>{_e(b.content)}</p>")
            elif b.kind == "note":
                parts.append(f'<p class="note">{_e(b.content)}</p>')
            elif b.kind == "kv":
                rows = "".join(f'<tr><th class="text">{_e(k)}</th><td class="text">{_e(v)}</td></tr>' for k, v in b.content)
                parts.append(f"<table><tbody>{rows}</tbody></table>")
            elif b.kind == "table":
                table = f'<div class="scroll">{_html_table(b.content, b.row_classes)}</div>'
                if b.collapse:
                    table = f"<details><summary>show all {len(b.content)} rows</summary>{table}</details>"
                parts.append(table)
            elif b.kind == "image":
                data = base64.b64encode(images[b.content]).decode("ascii")
                parts.append(f'<figure><img alt="{_e(b.content)}" src="data:image/png;base64,{data}">'
                             f"<figcaption>{_e(b.content)}</figcaption></figure>")
        parts.append("</section>")
    body = "\n".join(parts)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>forecastkit: {_e(run.name)}</title><style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


# --------------------------------------------------------------------------- markdown
def render_markdown(run: RunResult, scores: Scores, image_names: list[str],
                    plots_dir: str = "plots") -> str:
    """The same report as markdown, linking the plots from ``plots_dir``."""
    lines = [f"# forecastkit report: {run.name}", ""]
    for section in report_sections(run, scores, image_names):
        lines += ["#" * section.level + " " + section.title, ""]
        for b in section.blocks:
            if b.kind == "list":
                lines += [f"- {item}" for item in b.content] + [""]
            elif b.kind in ("text", "note", "lead"):
                lines += [f"_{b.content}_" if b.kind == "note" else b.content, ""]
            elif b.kind == "kv":
                lines += [T.markdown_table(pd.DataFrame(b.content, columns=["label", "value"])), ""]
            elif b.kind == "table":
                df = b.content.copy()
                if "model" in df.columns and b.row_classes:
                    marks = {"baseline": " (baseline)", "failed": " (failed)", "leak": " (LEAK)"}
                    df["model"] = [m + marks.get(c, "") for m, c in zip(df["model"], b.row_classes)]
                lines += [T.markdown_table(df), ""]
            elif b.kind == "image":
                lines += [f"![{b.content}]({plots_dir}/{b.content})", ""]
    return "\n".join(lines)
