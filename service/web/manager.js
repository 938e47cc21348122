// The manager's dashboard: a hash router, CSV downloads and the leaderboard view.
// Views live in manager-views.js; they read the API with the key bound in app.js.
"use strict";

const Manager = (() => {
  const views = {};
  const NAMES = {
    intents: {
      greeting: "问候", product_inquiry: "商品咨询", size_fit: "尺码适配", price_promotion: "价格优惠",
      stock_availability: "库存到货", order_payment: "下单支付", logistics: "物流配送",
      return_exchange: "退换售后", complaint: "投诉不满", store_visit: "到店预约",
      membership: "会员权益", purchase_intent: "购买意向", thanks_closing: "致谢结束", other: "其他",
    },
    outcomes: {
      purchased: "成交", store_visit: "到店", resolved: "已解决", complaint_open: "投诉未决",
      lost: "流失", no_reply: "未回复", ongoing: "进行中",
    },
    periods: { week: "周", month: "月", all: "全部" },
  };

  // "#/guide/g1?period=week" -> {name: "guide", arg: "g1", query: URLSearchParams}
  function parseHash() {
    const [path, search] = (location.hash.replace(/^#\/?/, "") || "leaderboard").split("?");
    const [name, ...rest] = path.split("/");
    return { name, arg: rest.map(decodeURIComponent).join("/"),
             query: new URLSearchParams(search || "") };
  }

  function link(name, arg, query) {
    const q = query && [...new URLSearchParams(query)].length ? "?" + new URLSearchParams(query) : "";
    return "#/" + name + (arg ? "/" + encodeURIComponent(arg) : "") + q;
  }

  async function route() {
    showError();
    const { name, arg, query } = parseHash();
    document.querySelectorAll("#nav a[data-view]").forEach((a) =>
      a.classList.toggle("active", a.dataset.view === name));
    const view = document.getElementById("view");
    const render = views[name] || views.leaderboard;
    view.replaceChildren(el("p", "加载中…", "muted"));
    try {
      await render(view, arg, query);
    } catch (error) {
      view.replaceChildren();
      showError(error);
    }
  }

  function crumbs(items) {
    const box = document.getElementById("crumbs");
    box.replaceChildren();
    items.forEach(([label, href], i) => {
      if (i) box.append(" › ");
      if (href) {
        const a = el("a", label);
        a.href = href;
        box.appendChild(a);
      } else {
        box.appendChild(el("span", label));
      }
    });
  }

  // Fetches `path` with the key and saves the answer as a file (the API writes the CSV).
  async function downloadCsv(path, filename) {
    showError();
    try {
      const sep = path.includes("?") ? "&" : "?";
      const response = await fetch(path + sep + "format=csv",
                                   { headers: { "Authorization": "Bearer " + apiKey() } });
      if (!response.ok) throw new Error(response.status + " " + response.statusText);
      const url = URL.createObjectURL(await response.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (error) { showError(error); }
  }

  function csvButton(path, filename, label = "导出 CSV") {
    const button = el("button", label, "csv");
    button.dataset.csv = filename;
    button.addEventListener("click", () => downloadCsv(path, filename));
    return button;
  }

  function heading(text, ...extra) {
    const bar = el("div", undefined, "toolbar");
    bar.append(el("h2", text), ...extra);
    return bar;
  }

  function table(headers, rows, onClick) {
    const made = el("table");
    const head = el("tr");
    headers.forEach((h) => head.appendChild(el("th", h)));
    made.appendChild(el("thead")).appendChild(head);
    const body = made.appendChild(el("tbody"));
    rows.forEach((cells, i) => {
      const tr = el("tr", undefined, onClick ? "clickable" : "");
      cells.forEach((c) => tr.appendChild(c instanceof Node ? wrap(c) : el("td", c)));
      if (onClick) tr.addEventListener("click", () => onClick(i));
      body.appendChild(tr);
    });
    return made;
  }

  function wrap(child) {
    const td = el("td");
    td.appendChild(child);
    return td;
  }

  function select(id, label, options, value, onChange) {
    const box = el("label", label + " ");
    const made = el("select");
    made.id = id;
    options.forEach(([v, text]) => {
      const option = el("option", text);
      option.value = v;
      made.appendChild(option);
    });
    made.value = value;
    made.addEventListener("change", () => onChange(made.value));
    box.appendChild(made);
    return box;
  }

  const COMPONENT = (row, name, digits) => {
    const c = row.components[name];
    return c ? fmt(c.value, digits) : "—";
  };

  const BOARD_ROWS = 100; // rows per page; the CSV export has them all

  views.leaderboard = async (view, _, query) => {
    crumbs([["排行榜"]]);
    const period = query.get("period") || "week";
    const filters = { period, store_id: query.get("store") || "", region: query.get("region") || "" };
    const params = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    const pageNumber = Math.max(0, parseInt(query.get("page") || "0", 10) || 0);
    const page = new URLSearchParams(params);
    page.set("limit", String(BOARD_ROWS));
    page.set("offset", String(pageNumber * BOARD_ROWS));
    const [guides, board] = await Promise.all([api("/v1/guides"),
                                               api("/v1/leaderboard?" + page)]);
    const go = (change) => {
      const next = { period, store: filters.store_id, region: filters.region, page: "", ...change };
      location.hash = link("leaderboard", "", Object.fromEntries(
        Object.entries(next).filter(([, v]) => v)));
    };
    const stores = [...new Set(guides.map((g) => g.store_id))].sort();
    const regions = [...new Set(guides.map((g) => g.region))].sort();
    const bar = el("div", undefined, "filters");
    bar.append(
      select("filter-store", "门店", [["", "全部门店"], ...stores.map((s) => [s, s])],
             filters.store_id, (v) => go({ store: v })),
      select("filter-region", "区域", [["", "全部区域"], ...regions.map((r) => [r, r])],
             filters.region, (v) => go({ region: v })),
      select("filter-period", "周期", Object.entries(NAMES.periods), period,
             (v) => go({ period: v })));
    const note = el("p", "综合分 0–100（50 = 品牌平均），附置信区间；走势为各周期综合分（" +
      board.trend_periods.join("、") + "）。点击一行查看导购详情。", "muted");
    const rows = board.rows.map((row) => [
      row.rank, row.name || row.guide_id, row.store_id, row.region, fmt(row.score),
      fmt(row.score_low) + "–" + fmt(row.score_high), Charts.sparkline(row.trend),
      row.n_conversations, COMPONENT(row, "conversion_rate", 2),
      COMPONENT(row, "attributed_gmv", 0), COMPONENT(row, "first_response_s", 0),
      COMPONENT(row, "compliance_violations", 0)]);
    const made = table(["排名", "导购", "门店", "区域", "综合分", "区间", "走势", "会话数", "转化率",
                        "赋能业绩", "首响(秒)", "合规提示"], rows,
                       (i) => { location.hash = link("guide", board.rows[i].guide_id); });
    made.id = "board";
    const pager = el("div", undefined, "pager");
    if (board.total > board.rows.length) {
      const first = board.offset + 1, last = board.offset + board.rows.length;
      const button = (text, target, enabled) => {
        const made = el("button", text);
        made.disabled = !enabled;
        made.addEventListener("click", () => go({ page: target ? String(target) : "" }));
        return made;
      };
      pager.append(button("上一页", pageNumber - 1, pageNumber > 0),
                   el("span", ` 第 ${first}–${last} 位，共 ${board.total} 位 `, "muted"),
                   button("下一页", pageNumber + 1, last < board.total));
    }
    view.replaceChildren(
      heading("排行榜 " + (board.period ? "· " + board.period : ""),
              csvButton("/v1/leaderboard?" + params, `leaderboard-${period}.csv`)),
      bar, note, board.rows.length ? made : el("p", "没有符合条件的导购", "muted"), pager);
  };

  async function loadBrain() {
    try {
      const health = await (await fetch("/healthz")).json();
      document.getElementById("brain").textContent = "模型版本 " + health.brain_version;
    } catch (error) { /* the pages work without it */ }
  }

  function start() {
    loadBrain();
    window.addEventListener("hashchange", route);
    bindKeyForm(route);
  }

  return { views, NAMES, link, crumbs, csvButton, heading, table, select, start };
})();
