"""Small inline SVG charts for the report: no JavaScript, no external files, no fonts to fetch."""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7")
WIDTH, HEIGHT, MARGIN = 640, 260, 40


def _svg(body: list[str], width: int = WIDTH, height: int = HEIGHT) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-size="11">' + "".join(body) + "</svg>")


def _text(x: float, y: float, text: str, anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{html.escape(text)}</text>'


def histogram_svg(values: Sequence[float], x_label: str, bins: int = 20,
                  low: float = 0.0, high: float = 100.0) -> str:
    """Counts of `values` in equal bins between `low` and `high`."""
    counts = [0] * bins
    for value in values:
        if not math.isnan(value):
            counts[min(bins - 1, max(0, int((value - low) / (high - low) * bins)))] += 1
    tallest = max(counts) or 1
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    bar_w = plot_w / bins
    body = []
    for i, count in enumerate(counts):
        h = plot_h * count / tallest
        x, y = MARGIN + i * bar_w, HEIGHT - MARGIN - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 1:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[0]}"><title>{count}</title></rect>')
    for tick in range(0, 101, 25):
        x = MARGIN + plot_w * (tick - low) / (high - low)
        body.append(_text(x, HEIGHT - MARGIN + 14, str(tick)))
    body.append(_text(WIDTH / 2, HEIGHT - 6, x_label))
    body.append(_text(MARGIN - 6, MARGIN, str(tallest), anchor="end"))
    return _svg(body)


def line_chart_svg(series: Mapping[str, Sequence[float]], x_labels: Sequence[str]) -> str:
    """One line per series over the x labels; y from 0 to the largest value."""
    finite = [v for values in series.values() for v in values if not math.isnan(v)]
    top = max(finite, default=1.0) or 1.0
    plot_w, plot_h = WIDTH - 2 * MARGIN - 120, HEIGHT - 2 * MARGIN
    step = plot_w / max(len(x_labels) - 1, 1)
    body = []
    for k, (name, values) in enumerate(series.items()):
        colour = PALETTE[k % len(PALETTE)]
        points = [(MARGIN + i * step, HEIGHT - MARGIN - plot_h * v / top)
                  for i, v in enumerate(values) if not math.isnan(v)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
        legend_y = MARGIN + 16 * k
        body.append(f'<rect x="{WIDTH - 150}" y="{legend_y - 9}" width="10" height="10" '
                    f'fill="{colour}"/>')
        body.append(_text(WIDTH - 135, legend_y, name, anchor="start"))
    for i, label in enumerate(x_labels):
        body.append(_text(MARGIN + i * step, HEIGHT - MARGIN + 14, label))
    body.append(_text(MARGIN - 6, MARGIN, f"{top:.0f}", anchor="end"))
    body.append(_text(MARGIN - 6, HEIGHT - MARGIN, "0", anchor="end"))
    return _svg(body)


def stacked_bars_svg(rows: Sequence[tuple[str, Mapping[str, float]]],
                     labels: Mapping[str, str]) -> str:
    """Horizontal bars, one per row, split into each component's points (0..100)."""
    bar_h, left = 18, 110
    height = MARGIN + bar_h * len(rows) + 16 * len(labels) + 20
    scale = (WIDTH - left - 20) / 100
    body = []
    keys = list(labels)
    for r, (name, parts) in enumerate(rows):
        y, x = MARGIN / 2 + r * bar_h, float(left)
        body.append(_text(left - 6, y + bar_h * 0.7, name, anchor="end"))
        for key in keys:
            width = parts.get(key, 0.0) * scale
            if width > 0:
                colour = PALETTE[keys.index(key) % len(PALETTE)]
                body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
                            f'height="{bar_h - 3}" fill="{colour}"><title>'
                            f'{html.escape(labels[key])} {parts[key]:.1f}</title></rect>')
                x += width
    legend_top = MARGIN / 2 + bar_h * len(rows) + 16
    for k, key in enumerate(keys):
        y = legend_top + 16 * k
        body.append(f'<rect x="{left}" y="{y - 9:.1f}" width="10" height="10" '
                    f'fill="{PALETTE[k % len(PALETTE)]}"/>')
        body.append(_text(left + 15, y, labels[key], anchor="start"))
    return _svg(body, height=int(height))
