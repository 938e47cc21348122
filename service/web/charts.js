// Small SVG charts for the manager's pages: sparkline, line with band, bars, histogram, funnel,
// quadrant.
// Plain DOM, no dependencies; every label is set as text, never parsed as markup.
"use strict";

const Charts = (() => {
  const NS = "http://www.w3.org/2000/svg";
  const COLOURS = ["#1f6f5c", "#f28e2b", "#4e79a7", "#e15759", "#76b7b2", "#b07aa1"];

  function node(tag, attrs = {}, text) {
    const made = document.createElementNS(NS, tag);
    Object.entries(attrs).forEach(([k, v]) => made.setAttribute(k, String(v)));
    if (text !== undefined) made.textContent = String(text);
    return made;
  }

  function svg(kind, width, height) {
    return node("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart",
                         "data-chart": kind, role: "img" });
  }

  function finite(values) {
    return values.filter((v) => typeof v === "number" && Number.isFinite(v));
  }

  function titled(shape, title) {
    shape.appendChild(node("title", {}, title));
    return shape;
  }

  // A tiny line of the values (nulls skipped), the last point marked.
  function sparkline(values, width = 110, height = 26) {
    const chart = svg("sparkline", width, height);
    const known = finite(values);
    if (known.length === 0) return chart;
    const lo = Math.min(...known), hi = Math.max(...known), span = hi - lo || 1;
    const step = (width - 6) / Math.max(values.length - 1, 1);
    const points = values.map((v, i) => (typeof v === "number"
      ? [3 + i * step, height - 3 - (height - 6) * (v - lo) / span] : null)).filter(Boolean);
    chart.appendChild(node("polyline", { points: points.map((p) => p.join(",")).join(" "),
                                         fill: "none", stroke: COLOURS[0], "stroke-width": 1.5 }));
    const [x, y] = points[points.length - 1];
    chart.appendChild(titled(node("circle", { cx: x, cy: y, r: 2.5, fill: COLOURS[1] }),
                             known.map((v) => v.toFixed(0)).join(" → ")));
    return chart;
  }

  // Lines over x labels; a series may carry `low`/`high` arrays, drawn as a shaded band.
  function line(series, labels, { width = 460, height = 220, max } = {}) {
    const chart = svg("line", width, height);
    const m = { l: 40, r: 26, t: 12, b: 34 };
    const all = series.flatMap((s) => finite([...s.values, ...(s.high || [])]));
    const top = max !== undefined ? max : Math.max(1, ...all);
    const x = (i) => m.l + i * (width - m.l - m.r) / Math.max(labels.length - 1, 1);
    const y = (v) => height - m.b - (height - m.t - m.b) * v / top;
    axes(chart, width, height, m, top);
    labels.forEach((label, i) => {
      if (labels.length <= 8 || i % Math.ceil(labels.length / 8) === 0) {
        chart.appendChild(node("text", { x: x(i), y: height - m.b + 14, "text-anchor": "middle" },
                               String(label).slice(5) || label));
      }
    });
    series.forEach((s, k) => {
      const colour = COLOURS[k % COLOURS.length];
      if (s.low && s.high) {
        const upper = s.high.map((v, i) => (v === null ? null : [x(i), y(v)])).filter(Boolean);
        const lower = s.low.map((v, i) => (v === null ? null : [x(i), y(v)])).filter(Boolean);
        const ring = upper.concat(lower.reverse()).map((p) => p.join(",")).join(" ");
        chart.appendChild(node("polygon", { points: ring, fill: colour, opacity: 0.15 }));
      }
      const pts = s.values.map((v, i) => (v === null ? null : [x(i), y(v), v, labels[i]]))
        .filter(Boolean);
      chart.appendChild(node("polyline", { points: pts.map((p) => p[0] + "," + p[1]).join(" "),
                                           fill: "none", stroke: colour, "stroke-width": 2 }));
      pts.forEach(([px, py, v, label]) => chart.appendChild(titled(
        node("circle", { cx: px, cy: py, r: 3, fill: colour }), `${label}：${v.toFixed(1)}`)));
    });
    return chart;
  }

  function axes(chart, width, height, m, top) {
    chart.appendChild(node("line", { x1: m.l, y1: height - m.b, x2: width - m.r,
                                     y2: height - m.b, stroke: "#999" }));
    chart.appendChild(node("line", { x1: m.l, y1: m.t, x2: m.l, y2: height - m.b,
                                     stroke: "#999" }));
    chart.appendChild(node("text", { x: m.l - 4, y: m.t + 8, "text-anchor": "end" },
                           Math.round(top)));
    chart.appendChild(node("text", { x: m.l - 4, y: height - m.b, "text-anchor": "end" }, 0));
  }

  // Vertical bars, one per {label, value}; `kind` names the chart for tests and styles.
  function bars(items, { width = 460, height = 220, kind = "bar", format = (v) => v } = {}) {
    const chart = svg(kind, width, height);
    const m = { l: 40, r: 8, t: 16, b: 34 };
    const top = Math.max(1, ...items.map((d) => d.value));
    const slot = (width - m.l - m.r) / Math.max(items.length, 1);
    axes(chart, width, height, m, top);
    items.forEach((d, i) => {
      const h = (height - m.t - m.b) * d.value / top;
      const x = m.l + i * slot + slot * 0.1;
      chart.appendChild(titled(node("rect", { x, y: height - m.b - h, width: slot * 0.8,
                                               height: h, fill: COLOURS[0] }),
                               `${d.label}：${format(d.value)}`));
      chart.appendChild(node("text", { x: x + slot * 0.4, y: height - m.b + 14,
                                       "text-anchor": "middle" }, d.label));
      if (d.value > 0) {
        chart.appendChild(node("text", { x: x + slot * 0.4, y: height - m.b - h - 3,
                                         "text-anchor": "middle" }, format(d.value)));
      }
    });
    return chart;
  }

  function histogram(bins, options = {}) {
    return bars(bins.map((b) => ({ label: b.label, value: b.count })),
                { ...options, kind: "histogram" });
  }

  // Horizontal bars of shares (0..1) with a thin marker for the comparison share.
  function shares(items, { width = 460, compareName = "全品牌" } = {}) {
    const row = 22, left = 80, height = Math.max(row * items.length + 24, 40);
    const chart = svg("shares", width, height);
    const scale = (width - left - 50) / Math.max(0.01, ...items.flatMap((d) => [d.share,
                                                                             d.compare || 0]));
    items.forEach((d, i) => {
      const y = 4 + i * row;
      chart.appendChild(node("text", { x: left - 6, y: y + 13, "text-anchor": "end" }, d.label));
      chart.appendChild(titled(node("rect", { x: left, y, width: d.share * scale, height: 14,
                                               fill: COLOURS[0] }),
                               `${d.label}：${(d.share * 100).toFixed(0)}%`));
      chart.appendChild(node("text", { x: left + d.share * scale + 4, y: y + 12 },
                             (d.share * 100).toFixed(0) + "%"));
      if (d.compare !== undefined) {
        const cx = left + d.compare * scale;
        chart.appendChild(titled(node("line", { x1: cx, y1: y - 2, x2: cx, y2: y + 16,
                                                stroke: COLOURS[1], "stroke-width": 2 }),
                                 `${compareName}：${(d.compare * 100).toFixed(0)}%`));
      }
    });
    chart.appendChild(node("text", { x: left, y: height - 4, fill: COLOURS[1] },
                           "橙线：" + compareName));
    return chart;
  }

  // Steps narrowing from the first; each shows its count and its share of the first step.
  function funnel(steps, { width = 460 } = {}) {
    const row = 30, height = row * steps.length + 8;
    const chart = svg("funnel", width, height);
    const first = Math.max(1, steps.length ? steps[0].count : 1);
    steps.forEach((s, i) => {
      const w = Math.max(2, (width - 170) * s.count / first);
      const x = 90 + (width - 170 - w) / 2, y = 4 + i * row;
      chart.appendChild(node("text", { x: 84, y: y + 17, "text-anchor": "end" }, s.name));
      chart.appendChild(titled(node("rect", { x, y, width: w, height: row - 6,
                                               fill: COLOURS[i % COLOURS.length], rx: 3 }),
                               `${s.name}：${s.count}`));
      chart.appendChild(node("text", { x: width - 76, y: y + 17 },
                             `${s.count}（${(100 * s.count / first).toFixed(0)}%）`));
    });
    return chart;
  }

  // Points on two 0-100 axes split at `threshold` into four quadrants, each point labelled.
  function quadrant(points, { width = 460, height = 320, threshold = 50, xName = "意愿",
                              yName = "能力", quadrants = [] } = {}) {
    const chart = svg("quadrant", width, height);
    const m = { l: 40, r: 16, t: 12, b: 34 };
    const x = (v) => m.l + (width - m.l - m.r) * Math.min(Math.max(v, 0), 100) / 100;
    const y = (v) => height - m.b - (height - m.t - m.b) * Math.min(Math.max(v, 0), 100) / 100;
    axes(chart, width, height, m, 100);
    chart.appendChild(node("line", { x1: x(threshold), x2: x(threshold), y1: y(0), y2: y(100),
                                     stroke: "#bbb", "stroke-dasharray": "4 3" }));
    chart.appendChild(node("line", { x1: x(0), x2: x(100), y1: y(threshold), y2: y(threshold),
                                     stroke: "#bbb", "stroke-dasharray": "4 3" }));
    // quadrants: [top-left, top-right, bottom-left, bottom-right] names
    [[2, 96], [threshold + 2, 96], [2, 4], [threshold + 2, 4]].forEach(([qx, qy], i) => {
      if (quadrants[i]) chart.appendChild(node("text", { x: x(qx), y: y(qy), class: "muted",
                                                         "dominant-baseline": "middle" },
                                               quadrants[i]));
    });
    chart.appendChild(node("text", { x: width - m.r, y: height - 4, "text-anchor": "end" },
                           xName + " →"));
    chart.appendChild(node("text", { x: 4, y: m.t + 2 }, "↑ " + yName));
    points.forEach((p, i) => {
      chart.appendChild(titled(node("circle", { cx: x(p.x), cy: y(p.y), r: 6,
                                                fill: COLOURS[i % COLOURS.length] }),
                               `${p.label}：${xName} ${p.x.toFixed(0)}，${yName} ${p.y.toFixed(0)}`));
      chart.appendChild(node("text", { x: x(p.x) + 8, y: y(p.y) + 4 }, p.label));
    });
    return chart;
  }

  return { sparkline, line, bars, histogram, shares, funnel, quadrant };
})();
