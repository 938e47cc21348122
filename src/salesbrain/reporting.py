"""The manager's report: leaderboard and weekly scorecards as CSV, and one self-contained HTML.

`write_report(store, out_dir)` scores the tenant from the labels the store holds and writes

- `leaderboard.csv`: one row per guide over the whole range, best first;
- `scorecards.csv`: one row per guide and week;
- `report.html`: inline SVG charts (score distribution, weekly trend of the brand's
  components, component breakdown of the top guides) and the leaderboard, in Chinese.

Both CSVs give every component with its confidence band (`_low`, `_high`) and the number of
observations behind it (`_n`), so a score is never read without its evidence.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Any

import numpy as np

from salesbrain.db.database import Database
from salesbrain.schema import Guide
from salesbrain.scoring.charts import histogram_svg, line_chart_svg, stacked_bars_svg
from salesbrain.scoring.components import COMPONENTS
from salesbrain.scoring.labels import facts_from_store
from salesbrain.scoring.scorecard import ScorecardTable, score_guides
from salesbrain.taxonomy import SCORECARD_COMPONENTS

GUIDE_COLUMNS = ("guide_id", "name", "store_id", "region")
LEADERBOARD_COLUMNS: tuple[str, ...] = (
    "rank", *GUIDE_COLUMNS, "score", "score_low", "score_high", "n_conversations",
    *(f"{c}{suffix}" for c in COMPONENTS for suffix in ("", "_low", "_high", "_n")),
    "notes",
)
SCORECARD_COLUMNS: tuple[str, ...] = (
    "period", *LEADERBOARD_COLUMNS, "sentiment", "sentiment_trend",
)
TREND_COMPONENTS = ("reply_coverage", "task_execution_rate", "conversion_rate")
TOP_GUIDES_SHOWN = 15


def write_report(store: Database, out_dir: Path) -> Path:
    """Score the tenant and write the CSVs and `report.html`; returns the HTML's path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    roster = store.guides()
    facts = facts_from_store(store)
    overall = score_guides(facts, roster, {"period": "all"})
    weekly = score_guides(facts, roster, {"period": "week"})
    guides = {g.guide_id: g for g in roster}
    _write_csv(out / "leaderboard.csv", LEADERBOARD_COLUMNS, _rows(overall, guides))
    _write_csv(out / "scorecards.csv", SCORECARD_COLUMNS, _rows(weekly, guides))
    page = out / "report.html"
    page.write_text(_html(overall, weekly, guides, store.tenant), encoding="utf-8")
    return page


def _rows(table: ScorecardTable, guides: dict[str, Guide]) -> list[dict[str, Any]]:
    rows = []
    for i in np.lexsort((table.rank, table.period)):
        card = table.card(int(i))
        guide = guides.get(card.group_id, Guide(card.group_id))
        row: dict[str, Any] = {
            "period": card.period, "rank": card.rank, "guide_id": guide.guide_id,
            "name": guide.name, "store_id": guide.store_id, "region": guide.region,
            "score": round(card.score, 1), "score_low": round(card.score_low, 1),
            "score_high": round(card.score_high, 1), "n_conversations": card.n_conversations,
            "sentiment": _rounded(card.sentiment),
            "sentiment_trend": _rounded(card.sentiment_trend),
            "notes": "; ".join(card.notes),
        }
        for name, component in card.components.items():
            if component is not None:
                row.update({name: _rounded(component.value), f"{name}_low": _rounded(component.low),
                            f"{name}_high": _rounded(component.high), f"{name}_n": component.n})
        rows.append(row)
    return rows


def _rounded(value: float | None) -> float | str:
    return "" if value is None or np.isnan(value) else round(float(value), 4)


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _html(overall: ScorecardTable, weekly: ScorecardTable, guides: dict[str, Guide],
          tenant: str) -> str:
    label = SCORECARD_COMPONENTS
    best = [int(i) for i in np.argsort(overall.rank)[:TOP_GUIDES_SHOWN]]
    names = [_display_name(guides, overall.group_ids[overall.group[i]]) for i in best]
    breakdown = [(name, overall.contributions(i)) for name, i in zip(names, best, strict=True)]
    sections = [
        f"<h1>导购评分报告 · {html.escape(tenant)}</h1>",
        _notes_html(overall),
        "<h2>综合得分分布</h2>", histogram_svg(overall.score.tolist(), x_label=label["score"]),
        "<h2>每周趋势（全品牌）</h2>",
        line_chart_svg(_weekly_brand_trend(weekly), weekly.period_labels),
        f"<h2>得分构成（前 {len(best)} 名）</h2>",
        stacked_bars_svg(breakdown, {c: label[c] for c in COMPONENTS}),
        "<h2>排行榜</h2>", _leaderboard_html(overall, guides),
    ]
    return ("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
            "<title>导购评分报告</title><style>body{font-family:sans-serif;margin:2em}"
            "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
            "text-align:right}</style></head><body>" + "\n".join(sections) + "</body></html>")


def _weekly_brand_trend(weekly: ScorecardTable) -> dict[str, list[float]]:
    """Each week's brand-wide rate (pooled over guides), in percent."""
    series: dict[str, list[float]] = {}
    if not weekly.period_labels:
        return series
    for name in TREND_COMPONENTS:
        component, n_periods = weekly.components[name], len(weekly.period_labels)
        n = np.nan_to_num(component.n).reshape(-1, n_periods)
        hits = np.nan_to_num(component.value * component.n).reshape(-1, n_periods)
        totals = n.sum(axis=0)
        series[SCORECARD_COMPONENTS[name]] = [
            100 * float(h / t) if t else float("nan")
            for h, t in zip(hits.sum(axis=0), totals, strict=True)]
    return series


def _notes_html(table: ScorecardTable) -> str:
    notes = [f"{SCORECARD_COMPONENTS[name]}未计入综合得分：没有模型输出或标注。"
             for name in table.omitted]
    notes.append("综合得分 50 = 品牌平均；括号内为 95% 置信区间；对话少的导购向品牌平均收缩。")
    return "".join(f"<p>{html.escape(note)}</p>" for note in notes)


def _leaderboard_html(table: ScorecardTable, guides: dict[str, Guide]) -> str:
    heads = ["名次", "导购", "门店", SCORECARD_COMPONENTS["score"], "对话数"]
    heads += [SCORECARD_COMPONENTS[c] for c in COMPONENTS if c not in table.omitted]
    rows = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in heads) + "</tr>"]
    for i in np.argsort(table.rank):
        card = table.card(int(i))
        guide = guides.get(card.group_id, Guide(card.group_id))
        cells = [str(card.rank), html.escape(guide.name or guide.guide_id),
                 html.escape(guide.store_id),
                 f"{card.score:.1f} ({card.score_low:.0f}–{card.score_high:.0f})",
                 str(card.n_conversations)]
        for name in COMPONENTS:
            if name not in table.omitted:
                component = card.components[name]
                cells.append("—" if component is None else f"{_display(name, component.value)}"
                             f" <small>n={component.n}</small>")
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "<table>" + "\n".join(rows) + "</table>"


def _display(name: str, value: float) -> str:
    if name in ("reply_coverage", "task_execution_rate", "conversion_rate"):
        return f"{100 * value:.0f}%"
    if name == "first_response_s":
        return f"{value:.0f}秒"
    if name == "attributed_gmv":
        return f"¥{value:,.0f}"
    return f"{value:.0f}"


def _display_name(guides: dict[str, Guide], guide_id: str) -> str:
    guide = guides.get(guide_id)
    return guide.name if guide and guide.name else guide_id
