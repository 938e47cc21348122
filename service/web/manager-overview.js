// The manager's overview views: store segments, recall tasks, compliance alerts, search and
// weekly trends.
"use strict";

(() => {
  const { views, NAMES, link, crumbs, csvButton, heading, table, select } = Manager;
  const QUADRANTS = ["有能力缺意愿", "有意愿有能力", "意愿能力均不足", "有意愿缺能力"];
  const STATUS = { open: "待执行", done: "已完成", skipped: "已跳过" };
  const GROUPS = { birthday: "生日当月", same_period_last_year: "去年同期购买",
                   lapsed_two_years: "两年未购" };
  const SEVERITY = { low: "低", medium: "中", high: "高" };

  function day(iso) { return iso ? iso.slice(0, 10) : "—"; }

  function thisMonth() {
    const now = new Date(Date.now() + 8 * 3600 * 1000);  // the brand's time zone, UTC+8
    return now.toISOString().slice(0, 7);
  }

  function query(params) {
    return new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  }

  views.segments = async (view) => {
    crumbs([["门店分群"]]);
    const body = await api("/v1/segments");
    const chart = Charts.quadrant(body.stores.map((s) => ({
      label: s.store_id, x: s.willingness, y: s.ability })),
      { threshold: body.threshold, quadrants: QUADRANTS });
    const rows = body.stores.map((s) => [
      s.store_id, s.region, s.n_guides, s.n_conversations, fmt(s.willingness), fmt(s.ability),
      s.segment_name, s.action_name,
      s.components.map((c) => `${c.name} ${fmt(c.points, 0)}`).join("，")]);
    const made = table(["门店", "区域", "导购数", "会话数", "意愿", "能力", "分群", "建议动作",
                        "构成（50 = 品牌平均）"], rows);
    made.id = "segments";
    view.replaceChildren(
      heading("门店分群", csvButton("/v1/segments", "segments.csv")),
      el("p", "意愿：任务执行率、回复覆盖率、首响速度；能力：转化率、赋能业绩、回复质量。" +
         "虚线为品牌平均（50）。", "muted"),
      chart, made);
  };

  function rateTable(rates, names) {
    const rows = rates.map((r) => [names[r.guide_id] || r.guide_id || "云导购",
                                   GROUPS[r.group] || r.group, r.tasks, r.done, r.skipped,
                                   (100 * r.execution_rate).toFixed(0) + "%"]);
    const made = table(["导购", "分组", "任务数", "已完成", "已跳过", "执行率"], rows);
    made.id = "recall-rates";
    return made;
  }

  views.recall = async (view, _, q) => {
    crumbs([["召回任务"]]);
    const month = q.get("month") || thisMonth();
    const filters = { month, group: q.get("group") || "" };
    const [guides, board] = await Promise.all([
      api("/v1/guides"), api("/v1/recall-tasks?" + query(filters))]);
    const names = Object.fromEntries(guides.map((g) => [g.guide_id, g.name || g.guide_id]));
    const go = (change) => { location.hash = link("recall", "", query({ ...filters, ...change })); };
    const picker = el("input");
    picker.type = "month";
    picker.id = "recall-month";
    picker.value = month;
    picker.addEventListener("change", () => go({ month: picker.value }));
    const bar = el("div", undefined, "filters");
    bar.append(el("label", "月份 "), picker,
               select("recall-group", "分组", [["", "全部分组"], ...Object.entries(GROUPS)],
                      filters.group, (v) => go({ group: v })));
    const rows = board.tasks.map((t) => [
      names[t.guide_id] || t.guide_id || "云导购", t.customer_id, t.group_name, t.reason,
      day(t.last_purchase_at) + (t.last_purchase_amount ? ` ¥${fmt(t.last_purchase_amount, 0)}` : ""),
      t.last_product || "—", STATUS[t.status] || t.status,
      t.drafts.map((d) => d.text).join(" ｜ ")]);
    const tasks = table(["导购", "客户", "分组", "原因", "上次购买", "上次商品", "状态", "开场白草稿"],
                        rows);
    tasks.id = "recall-tasks";
    view.replaceChildren(
      heading("召回任务 · " + board.month,
              csvButton("/v1/recall-tasks?" + query(filters), `recall-${board.month}.csv`)),
      bar, el("h3", "执行率（按导购与分组）"), rateTable(board.rates, names),
      el("h3", `任务（${board.tasks.length}）`),
      board.tasks.length ? tasks : el("p", "本月没有召回任务", "muted"));
  };

  views.alerts = async (view, _, q) => {
    crumbs([["合规预警"]]);
    const filters = { severity: q.get("severity") || "" };
    const body = await api("/v1/compliance/alerts?" + query(filters));
    const bar = el("div", undefined, "filters");
    bar.append(select("alert-severity", "严重度", [["", "全部"], ...Object.entries(SEVERITY)],
                      filters.severity, (v) => {
                        location.hash = link("alerts", "", query({ severity: v }));
                      }));
    const summary = Object.entries(body.by_category).map(([k, n]) => `${k} ${n}`).join("，");
    const rows = body.alerts.map((a) => [
      a.ts.slice(0, 16).replace("T", " "), a.store_id, a.guide_id, a.category,
      SEVERITY[a.severity] || a.severity, a.matched || "—", a.text]);
    const made = table(["时间", "门店", "导购", "类别", "严重度", "命中", "消息"], rows,
                       (i) => { location.hash = link("conversation", body.alerts[i].conversation_id); });
    made.id = "alerts";
    view.replaceChildren(
      heading(`合规预警（${body.total}）`,
              csvButton("/v1/compliance/alerts?" + query(filters), "compliance-alerts.csv")),
      bar, el("p", summary || "没有预警", "muted"),
      body.alerts.length ? made : el("p", "没有符合条件的预警", "muted"));
  };

  views.search = async (view, _, q) => {
    crumbs([["会话搜索"]]);
    const filters = { q: q.get("q") || "", outcome: q.get("outcome") || "",
                      page: q.get("page") || "" };
    const box = el("input");
    box.id = "search-q";
    box.placeholder = "搜索会话内容（已脱敏）";
    box.value = filters.q;
    const go = (change) => { location.hash = link("search", "", query({ ...filters, ...change })); };
    box.addEventListener("keydown", (e) => { if (e.key === "Enter") go({ q: box.value, page: "" }); });
    const button = el("button", "搜索");
    button.addEventListener("click", () => go({ q: box.value, page: "" }));
    const bar = el("div", undefined, "filters");
    bar.append(box, button, select("search-outcome", "结果",
                                   [["", "全部"], ...Object.entries(NAMES.outcomes)],
                                   filters.outcome, (v) => go({ outcome: v, page: "" })));
    const body = await api("/v1/conversations/search?" + query(filters));
    const rows = body.hits.map((h) => [
      day(h.started_at), h.store_id, h.guide_id, h.snippet,
      h.intents.map((i) => NAMES.intents[i] || i).join("、") || "—",
      NAMES.outcomes[h.outcome] || h.outcome || "—", h.compliance_hits]);
    const made = table(["日期", "门店", "导购", "片段", "意图", "结果", "合规提示"], rows,
                       (i) => { location.hash = link("conversation", body.hits[i].conversation_id); });
    made.id = "search-hits";
    const pages = Math.max(1, Math.ceil(body.total / body.page_size));
    const more = el("div", undefined, "filters");
    if (body.page > 1) more.appendChild(pager("上一页", () => go({ page: body.page - 1 })));
    more.appendChild(el("span", ` 第 ${body.page} / ${pages} 页，共 ${body.total} 条 `, "muted"));
    if (body.page < pages) more.appendChild(pager("下一页", () => go({ page: body.page + 1 })));
    view.replaceChildren(
      heading("会话搜索", csvButton("/v1/conversations/search?" + query(filters),
                                   `search-page${body.page}.csv`)),
      bar, body.hits.length ? made : el("p", "没有找到会话", "muted"), more);
  };

  views.trends = async (view, _, q) => {
    crumbs([["趋势"]]);
    const period = q.get("period") || "week";
    const body = await api("/v1/trends?period=" + period);
    const labels = body.points.map((p) => p.period);
    const bar = el("div", undefined, "filters");
    bar.appendChild(select("trend-period", "周期", [["week", "周"], ["month", "月"]], period,
                           (v) => { location.hash = link("trends", "", { period: v }); }));
    const rows = body.points.map((p) => [
      p.period, p.conversations, fmt(p.median_response_s, 0), p.purchased,
      p.conversion_rate === null ? "—" : (100 * p.conversion_rate).toFixed(1) + "%",
      Object.entries(p.intents).sort((a, b) => b[1] - a[1]).slice(0, 3)
        .map(([k, n]) => `${NAMES.intents[k] || k} ${n}`).join("，")]);
    const made = table(["周期", "会话数", "首响中位(秒)", "成交", "转化率", "主要意图"], rows);
    made.id = "trends";
    const grid = el("div", undefined, "grid");
    grid.append(
      Charts.line([{ name: "转化率%", values: body.points.map((p) =>
        p.conversion_rate === null ? null : 100 * p.conversion_rate) }], labels),
      Charts.line([{ name: "首响中位(秒)", values: body.points.map((p) => p.median_response_s) }],
                  labels));
    view.replaceChildren(heading("趋势", csvButton("/v1/trends?period=" + period,
                                                  `trends-${period}.csv`)),
                         bar, el("p", "左：转化率（%）；右：回复时长中位数（秒）。", "muted"),
                         grid, made);
  };

  function pager(label, onClick) {
    const button = el("button", label);
    button.addEventListener("click", onClick);
    return button;
  }

})();
