// The manager's detail views: a guide's drill-down, a labelled conversation, coaching pairs.
"use strict";

(() => {
  const { views, NAMES, link, crumbs, csvButton, heading, table, select } = Manager;
  const enc = encodeURIComponent;
  const REASONS = {
    missing_turn: "一方没有这一轮", role: "轮到的一方不同", intent: "客户问的不同",
    slow_reply: "回复慢", no_question: "冠军在此追问，她没有", short_reply: "回复过短",
    compliance: "合规提示",
  };

  const REDACTIONS = {
    mobile: "手机号", landline: "电话", id_card: "身份证", bank_card: "银行卡", email: "邮箱",
    wechat_id: "微信号", qq_number: "QQ号", order_no: "订单号", tracking_no: "快递单号",
    number: "号码", address: "地址", person_name: "姓名",
  };

  const PLACEHOLDERS = new Set(Object.values(REDACTIONS).map((name) => `[${name}]`));
  const SEGMENTS = { new: "新客", returning: "老客" };
  const COMPLIANCE = {
    off_platform: "引导站外", unauthorised_discount: "私自折扣", abusive_pressure: "施压骚扰",
    customer_data_leak: "泄露客户信息",
  };
  const SEVERITY = { low: "低", medium: "中", high: "高" };

  function card(title, ...children) {
    const box = el("div", undefined, "card");
    box.append(el("h3", title), ...children);
    return box;
  }

  function intentName(key) { return key ? NAMES.intents[key] || key : "—"; }

  function outcomeName(key) { return key ? NAMES.outcomes[key] || key : "—"; }

  views.guide = async (view, guideId, query) => {
    const period = query.get("period") || "week";
    const base = `/v1/guides/${enc(guideId)}/drilldown?period=${period}`;
    const [d, acceptance] = await Promise.all([api(base), optional(
      "/v1/acceptance?guide_id=" + enc(guideId))]);
    crumbs([["排行榜", link("leaderboard")], [d.name || d.guide_id]]);
    const periods = d.scores.map((s) => s.period);
    const coach = el("a", "辅导对比 →");
    coach.href = link("coaching", guideId);
    const pick = select("drill-period", "周期", Object.entries(NAMES.periods), period,
                        (v) => { location.hash = link("guide", guideId, { period: v }); });
    const filters = el("div", undefined, "filters");
    filters.appendChild(pick);
    const charts = el("div", undefined, "grid");
    charts.append(
      card("综合分走势（阴影为置信区间）", Charts.line([{
        name: "综合分", values: d.scores.map((s) => s.score),
        low: d.scores.map((s) => s.score_low), high: d.scores.map((s) => s.score_high),
      }], periods, { max: 100 })),
      card(`回复时长分布（${d.response_times.n} 次回复，中位 ` +
           `${fmt(d.response_times.median_s, 0)} 秒）`, Charts.histogram(d.response_times.bins)),
      card("客户意图构成", d.intents.length ? Charts.shares(d.intents.map((s) => ({
        label: s.name, share: s.share, compare: s.brand_share }))) : el("p", "尚未分析", "muted")),
      card("结果漏斗", Charts.funnel(d.funnel)),
      card("赋能业绩（元）", Charts.bars(d.sales.map((s) => ({
        label: s.period.slice(5) || s.period, value: s.gmv })), { format: (v) => v.toFixed(0) })));
    if (acceptance) charts.appendChild(acceptanceCard(acceptance));
    const history = table(["周期", "综合分", "区间", "会话数", "赋能业绩", "成交会话"],
                          mergePeriods(d).map((r) => [r.period, fmt(r.score),
                            fmt(r.score_low) + "–" + fmt(r.score_high), r.n ?? "—",
                            fmt(r.gmv, 0), r.purchased ?? "—"]));
    history.id = "periods";
    const scorecard = table(["指标", "数值", "区间", "样本数", "得分（50 = 品牌平均）"],
                            d.components.map((c) => [c.name, fmt(c.value, 2),
                              fmt(c.low, 2) + "–" + fmt(c.high, 2), c.n, fmt(c.points, 0)]));
    scorecard.id = "scorecard";
    const notes = d.notes.map((note) => el("p", note, "muted"));
    const recent = table(["开始时间", "意图", "结果", "赋能业绩", "合规提示"],
                         d.conversations.map((c) => [c.started_at.replace("T", " ").slice(0, 16),
                           intentName(c.intent), outcomeName(c.outcome), fmt(c.gmv, 0),
                           c.compliance_hits]),
                         (i) => { location.hash = link("conversation",
                                                       d.conversations[i].conversation_id); });
    recent.id = "recent";
    view.replaceChildren(
      heading(`${d.name || d.guide_id} · ${d.store_id} · ${d.region}`, coach), filters, charts,
      heading("评分卡（最近周期）", csvButton(base + "&table=components",
                                          `scorecard-${guideId}.csv`)), scorecard, ...notes,
      heading("各周期", csvButton(base, `drilldown-${guideId}-${period}.csv`)), history,
      heading("最近会话（点击查看）", csvButton(base + "&table=conversations",
                                         `conversations-${guideId}.csv`)), recent);
  };

  function mergePeriods(d) {
    const rows = {};
    d.scores.forEach((s) => { rows[s.period] = { ...s, n: s.n_conversations }; });
    d.sales.forEach((s) => { rows[s.period] = { ...(rows[s.period] || { period: s.period }), ...s }; });
    return Object.keys(rows).sort().map((k) => rows[k]);
  }

  // The acceptance route may not exist on this server: a 404 hides the panel.
  async function optional(path) {
    try {
      const response = await fetch(path, { headers: { "Authorization": "Bearer " + apiKey() } });
      return response.ok ? await response.json() : null;
    } catch (error) { return null; }
  }

  // One guide's acceptance (/v1/acceptance?guide_id=): the rate, per source, and AI-assisted sales.
  function acceptanceCard(data) {
    const box = card("建议采纳率");
    const [guide] = data.by_guide || [];
    const rate = guide ? guide.acceptance_rate : null;
    box.appendChild(el("p", typeof rate === "number" ? fmt(rate * 100, 0) + "%" : "暂无展示记录",
      "big"));
    const sources = { champion: "冠军回复", script: "话术库", generated: "生成" };
    (data.by_source || []).forEach((row) => {
      const share = typeof row.acceptance_rate === "number" ? fmt(row.acceptance_rate * 100, 0) + "%" : "—";
      box.appendChild(el("p", `${sources[row.key] || row.key}：展示 ${row.displayed}，采用 ` +
        `${row.inserted + row.edited}（${share}）`));
    });
    const sales = (data.assisted_sales || [])[0];
    box.appendChild(el("p", sales ? `AI 辅助成交：${sales.orders} 单，¥${fmt(sales.amount, 0)}`
      : "AI 辅助成交：暂无"));
    box.id = "acceptance";
    return box;
  }

  // Text with every redaction placeholder such as [手机号] marked, and compliance spans.
  function messageText(m) {
    const cell = el("td", undefined, "text");
    const spans = m.compliance.map((h) => [h.start, h.end]);
    const parts = m.text.split(/(\[[^\[\]\s]{1,12}\])/);
    let at = 0;
    parts.forEach((part) => {
      const isPlaceholder = PLACEHOLDERS.has(part);
      const hit = spans.some(([s, e]) => s < at + part.length && e > at);
      cell.appendChild(el("span", part, isPlaceholder ? "redaction" : hit ? "hit" : ""));
      at += part.length;
    });
    if (m.recalled) cell.appendChild(el("span", "（已撤回）", "muted"));
    return cell;
  }

  function labels(m) {
    const box = el("td");
    if (m.intent) {
      box.appendChild(el("span", intentName(m.intent) +
        (m.uncertain ? "?" : ""), m.uncertain ? "badge soft" : "badge"));
    }
    if (m.sentiment !== null) box.appendChild(el("span", "情绪 " + fmt(m.sentiment, 2), "badge soft"));
    m.compliance.forEach((h) => box.appendChild(
      el("span", `合规：${COMPLIANCE[h.category] || h.category}（${SEVERITY[h.severity] ||
        h.severity}）`, "badge warn")));
    m.redactions.forEach((r) => box.appendChild(el("span", r === "no_consent"
      ? "客户未同意存档（仅元数据）" : "已脱敏 " + (REDACTIONS[r] || r), "badge soft")));
    return box;
  }

  views.conversation = async (view, conversationId) => {
    const path = `/v1/conversations/${enc(conversationId)}/labels`;
    const c = await api(path);
    crumbs([["排行榜", link("leaderboard")], [c.guide_name || c.guide_id, link("guide", c.guide_id)],
            ["会话 " + conversationId]]);
    const facts = el("p", [`导购 ${c.guide_name || c.guide_id}`, `客户 ${c.customer_id}`,
      `结果 ${outcomeName(c.outcome)}`, `情绪 ${fmt(c.sentiment, 2)}`,
      `质量 ${fmt(c.quality, 0)}`, `合规提示 ${c.compliance_hits}`,
      c.analysed ? "" : "（尚未分析）"].join(" · "), "muted");
    const made = el("table");
    made.id = "messages";
    const head = el("tr");
    ["时间", "角色", "内容", "标签"].forEach((h) => head.appendChild(el("th", h)));
    made.appendChild(el("thead")).appendChild(head);
    const body = made.appendChild(el("tbody"));
    c.messages.forEach((m) => {
      const tr = el("tr", undefined, "role-" + m.role);
      tr.append(el("td", m.ts.replace("T", " ").slice(5, 19)),
                el("td", m.role === "guide" ? "导购" : m.role === "customer" ? "客户" : "系统"),
                messageText(m), labels(m));
      body.appendChild(tr);
    });
    view.replaceChildren(heading("会话", csvButton(path, `conversation-${conversationId}.csv`)),
                         facts, made);
  };

  function turnCell(turn) {
    const td = el("td");
    if (!turn) return td.appendChild(el("span", "（无）", "muted")) && td;
    const who = turn.role === "guide" ? "导购" : "客户";
    const delay = turn.delay_s === null ? "" : ` · ${fmt(turn.delay_s / 60, 1)} 分钟后`;
    td.appendChild(el("div", who + delay + (turn.intents.length
      ? " · " + turn.intents.map(intentName).join("、") : ""), "turn-role"));
    turn.texts.forEach((t) => td.appendChild(el("div", t)));
    return td;
  }

  function sideBySide(pair) {
    const made = el("table", undefined, "side");
    made.id = "side-by-side";
    const head = el("tr");
    ["轮", "她的会话（" + outcomeName(pair.guide_outcome) + "）",
     "冠军 " + pair.champion_name + "（" + outcomeName(pair.champion_outcome) + "）", "分歧"]
      .forEach((h) => head.appendChild(el("th", h)));
    made.appendChild(el("thead")).appendChild(head);
    const body = made.appendChild(el("tbody"));
    pair.rows.forEach((row) => {
      const first = row.index === pair.first_divergence;
      const tr = el("tr", undefined, first ? "diverge first-diverge" : row.reasons.length
        ? "diverge" : "");
      tr.append(el("td", row.index + 1, "turn-index"), turnCell(row.guide), turnCell(row.champion),
                el("td", (first ? "从这里开始不同：" : "") +
                  row.reasons.map((r) => REASONS[r] || r).join("、")));
      body.appendChild(tr);
    });
    return made;
  }

  views.coaching = async (view, guideId, query) => {
    const path = `/v1/coaching/${enc(guideId)}/pairs`;
    const [found, guides] = await Promise.all([api(path), api("/v1/guides")]);
    const guide = guides.find((g) => g.guide_id === guideId) || { name: guideId };
    crumbs([["排行榜", link("leaderboard")], [guide.name, link("guide", guideId)], ["辅导对比"]]);
    const title = heading(`辅导对比：${guide.name} 与冠军`,
                          csvButton(path, `coaching-${guideId}.csv`));
    if (!found.pairs.length) {
      view.replaceChildren(title, el("p", "暂无可对比的会话（需要已分析、且与冠军差距明显的意图）",
                                      "muted"));
      return;
    }
    const chosen = Math.min(Number(query.get("pair") || 0), found.pairs.length - 1);
    const pair = found.pairs[chosen];
    const tabs = el("div", undefined, "pairs");
    found.pairs.forEach((p, i) => {
      const topic = p.dimension === "intent" ? intentName(p.key) : "客户类型 " + (SEGMENTS[p.key] || p.key);
      const button = el("button", `${topic}：${fmt(p.guide_rate * 100, 0)}% vs ` +
                        `${fmt(p.champion_rate * 100, 0)}%`, i === chosen ? "active" : "");
      button.dataset.pair = i;
      button.addEventListener("click", () => {
        location.hash = link("coaching", guideId, { pair: i });
      });
      tabs.appendChild(button);
    });
    const open = (id) => { const a = el("a", id); a.href = link("conversation", id); return a; };
    const refs = el("p", "她的会话 ", "muted");
    refs.append(open(pair.guide_conversation_id), " · 冠军会话 ", open(pair.champion_conversation_id),
                ` · 该意图 ${pair.n_conversations} 个会话，成功率落后 ${fmt(pair.lag * 100, 0)} 个百分点`);
    view.replaceChildren(title, tabs, refs, sideBySide(pair));
  };
})();
