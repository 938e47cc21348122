// The guide's workbench: inbox, chat, live suggestions (no build step, no remote scripts).
"use strict";

const KEY_NAME = "salesbrain.key";
const IN_WECOM = /wxwork\//i.test(navigator.userAgent);
const $ = (selector) => document.querySelector(selector);
const INTENT_NAMES = {
  greeting: "问候", product_inquiry: "商品咨询", size_fit: "尺码适配", price_promotion: "价格优惠",
  stock_availability: "库存到货", order_payment: "下单支付", logistics: "物流配送",
  return_exchange: "退换售后", complaint: "投诉不满", store_visit: "到店预约",
  membership: "会员权益", purchase_intent: "购买意向", thanks_closing: "致谢结束", other: "其他",
};
const SOURCE_NAMES = { champion: "冠军回复", bank: "冠军回复", script: "话术库", generated: "生成" };
const RECALL_NAMES = { birthday: "本月生日", same_period_last_year: "去年同期购买",
  lapsed_two_years: "两年未购" };
const state = { open: null, suggestions: [], stream: null, revoked: false };

function apiKey() { return sessionStorage.getItem(KEY_NAME) || ""; }

function showError(error) { $("#error").textContent = error ? String(error.message || error) : ""; }

function since(iso) {
  const minutes = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 60000));
  if (minutes < 60) return minutes + " 分钟";
  if (minutes < 1440) return Math.round(minutes / 60) + " 小时";
  return Math.round(minutes / 1440) + " 天";
}

function day(iso) { return iso ? iso.slice(0, 10) : ""; }

// ---- inbox --------------------------------------------------------------------------------

async function loadInbox() {
  const q = $("#search").value.trim();
  try {
    const inbox = await api("/v1/inbox" + (q ? "?q=" + encodeURIComponent(q) : ""));
    renderInbox(inbox.items);
    showError();
  } catch (error) { showError(error); }
}

function renderInbox(items) {
  const list = $("#inbox");
  list.replaceChildren();
  if (!items.length) list.appendChild(el("li", "暂无会话", "muted"));
  items.forEach((item) => list.appendChild(inboxRow(item)));
}

function inboxRow(item) {
  const row = el("li");
  row.dataset.conversation = item.conversation_id;
  if (item.conversation_id === state.open) row.classList.add("open");
  const who = el("div", undefined, "who");
  who.appendChild(el("strong", item.customer_id));
  if (item.waiting) who.appendChild(el("span", "待回复 " + since(item.waiting_since), "wait"));
  row.append(who, el("div", (item.last_role === "guide" ? "我：" : "") + item.last_text, "last"));
  const tags = item.tags || {};
  if (tags.recall_group) row.appendChild(el("span", RECALL_NAMES[tags.recall_group] || tags.recall_group, "tag"));
  if (tags.last_purchase_at) {
    row.appendChild(el("span", "上次购买 " + day(tags.last_purchase_at) + " ¥" +
      Math.round(tags.last_purchase_amount), "tag"));
  }
  row.addEventListener("click", () => openChat(item.conversation_id));
  return row;
}

// ---- chat ---------------------------------------------------------------------------------

async function openChat(conversationId) {
  state.open = conversationId;
  document.body.classList.add("chat-open");
  document.querySelectorAll("#inbox li").forEach((li) =>
    li.classList.toggle("open", li.dataset.conversation === conversationId));
  const conversation = await loadChat(conversationId);
  const last = conversation && conversation.messages[conversation.messages.length - 1];
  if (last && last.role === "customer") {
    try {
      renderSuggestions(await api("/v1/suggest", { method: "POST",
        body: JSON.stringify({ conversation_id: conversationId, k: 3 }) }));
    } catch (error) { showError(error); }
  } else {
    renderSuggestions({ conversation_id: conversationId, intent: null, suggestions: [] });
  }
}

async function loadChat(conversationId) {
  try {
    const conversation = await api("/v1/conversations/" + encodeURIComponent(conversationId));
    $("#chat-title").textContent = conversation.customer_id;
    const list = $("#messages");
    list.replaceChildren();
    conversation.messages.forEach((m) => list.appendChild(messageItem(m)));
    list.scrollTop = list.scrollHeight;
    return conversation;
  } catch (error) { showError(error); return null; }
}

function messageItem(m) {
  const item = el("li", m.recalled ? "（已撤回）" : m.text, m.role);
  const meta = [m.ts.slice(5, 16).replace("T", " ")];
  if (m.intent) meta.push("意图：" + (INTENT_NAMES[m.intent] || m.intent));
  if (m.sentiment !== null && m.sentiment !== undefined) meta.push("情绪：" + mood(m.sentiment));
  item.appendChild(el("div", meta.join(" · "), "meta"));
  return item;
}

function mood(score) { return score >= 0.3 ? "积极" : score <= -0.3 ? "消极" : "中性"; }

// ---- suggestions --------------------------------------------------------------------------

function renderSuggestions(result) {
  if (result.conversation_id !== state.open) return;
  const box = $("#suggestions");
  box.replaceChildren();
  state.suggestions = result.suggestions.map((s, i) => ({ ...s, card: suggestionCard(s, i, result) }));
  $("#intent").textContent = result.intent ? "客户意图：" + (INTENT_NAMES[result.intent] || result.intent) : "";
  if (!result.suggestions.length) box.appendChild(el("p", "暂无建议，请自行回复。", "muted"));
  state.suggestions.forEach((s) => {
    box.appendChild(s.card);
    feedback(s.suggestion_id, "display").catch(() => {});
  });
}

function suggestionCard(s, index, result) {
  const card = el("div", undefined, "card");
  card.dataset.suggestion = s.suggestion_id;
  const editor = el("textarea");
  editor.value = s.text;
  editor.rows = 3;
  const intent = s.intent || result.intent;
  const about = [s.source_label || SOURCE_NAMES[s.source] || s.source];
  if (intent) about.push(INTENT_NAMES[intent] || intent);
  const use = el("button", IN_WECOM ? "发送" : "使用", "use");
  const dismiss = el("button", "忽略");
  use.addEventListener("click", () => useSuggestion(s, editor.value, card));
  dismiss.addEventListener("click", () => dismissSuggestion(s, card));
  const actions = el("div", undefined, "actions");
  actions.append(el("span", String(index + 1), "num"), use, dismiss, el("span", about.join(" · "), "muted"));
  card.append(editor, actions);
  return card;
}

async function useSuggestion(s, text, card) {
  text = text.trim();
  if (!text) return showError("草稿为空");
  const edited = text !== s.text.trim();
  try {
    await deliver(text);
    await feedback(s.suggestion_id, edited ? "edit" : "accept", edited ? text : null);
    card.classList.add("used");
    card.appendChild(el("p", IN_WECOM ? "已发送" : "已复制，请粘贴到聊天窗口发送", "muted done"));
  } catch (error) { showError(error); }
}

async function dismissSuggestion(s, card) {
  try {
    await feedback(s.suggestion_id, "ignore");
    card.remove();
  } catch (error) { showError(error); }
}

function feedback(suggestionId, action, sentText) {
  const body = { suggestion_id: suggestionId, action };
  if (sentText) body.sent_text = sentText;
  return api("/v1/feedback", { method: "POST", body: JSON.stringify(body) });
}

// ---- sending: WeCom's sendChatMessage inside the client, the clipboard outside -------------

const timed = (promise, ms = 8000) => Promise.race([promise,
  new Promise((_, no) => setTimeout(() => no(new Error("企业微信无响应")), ms))]);

async function deliver(text) {
  if (IN_WECOM && window.ww) {
    // sendChatMessage sends at once: this click is the guide's own send, after her review.
    return timed(window.ww.sendChatMessage({ msgtype: "text", text: { content: text } }));
  }
  return copyText(text);
}

async function wecomCustomer() {
  if (!IN_WECOM) return new URLSearchParams(location.search).get("external_userid");
  await loadScript("/wecom/jssdk.js");
  const response = await fetch("/wecom/jsapi-signature?url=" + encodeURIComponent(location.href.split("#")[0]));
  if (!response.ok) throw new Error("企业微信签名失败 HTTP " + response.status);
  const sig = await response.json();
  window.ww.register({ corpId: sig.corpId, agentId: sig.agentId,
    jsApiList: ["getContext", "getCurExternalContact", "sendChatMessage"],
    getConfigSignature: () => sig.config, getAgentConfigSignature: () => sig.agent });
  const { entry } = await timed(window.ww.getContext());
  if (entry !== "single_chat_tools" && entry !== "contact_profile") return null;
  return (await timed(window.ww.getCurExternalContact())).userId;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error("企业微信 JS-SDK 未安装"));
    document.head.appendChild(script);
  });
}

async function openCurrentCustomer() {
  try {
    const customer = await wecomCustomer();
    if (!customer) return;
    const inbox = await api("/v1/inbox?q=" + encodeURIComponent(customer));
    const found = inbox.items.find((item) => item.customer_id === customer);
    if (found) openChat(found.conversation_id);
  } catch (error) { showError(error); }
}

// ---- live updates -------------------------------------------------------------------------

async function connect() {
  if (state.stream) state.stream.close();
  let token;
  try {
    token = (await api("/v1/stream/token", { method: "POST" })).token;
  } catch (error) { setLive(false); showError(error); return; }
  const stream = new EventSource("/v1/stream?token=" + encodeURIComponent(token));
  state.stream = stream;
  stream.addEventListener("ready", () => setLive(true));
  stream.addEventListener("conversation", (event) => {
    const row = JSON.parse(event.data);
    loadInbox();
    if (row.conversation_id === state.open) loadChat(state.open);
  });
  stream.addEventListener("suggestions", (event) => renderSuggestions(JSON.parse(event.data)));
  stream.addEventListener("closed", () => {
    state.revoked = true;
    stream.close();
    setLive(false);
    showError("密钥已失效，请重新登录");
  });
  stream.onerror = () => {
    stream.close();
    setLive(false);
    if (!state.revoked && state.stream === stream) setTimeout(connect, 3000);
  };
}

function setLive(on) {
  $("#live").classList.toggle("off", !on);
  $("#live").textContent = on ? "实时" : "离线";
}

// ---- start --------------------------------------------------------------------------------

function start() {
  state.revoked = false;
  loadInbox();
  loadRecall();
  connect();
  openCurrentCustomer();
}

$("#login").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("#key").value.trim();
  if (value && !value.startsWith("•")) sessionStorage.setItem(KEY_NAME, value);
  $("#key").value = apiKey() ? "••••••••" : "";
  if (apiKey()) start();
});
let searchTimer = null;
$("#search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(loadInbox, 250);
});
$("#back").addEventListener("click", () => document.body.classList.remove("chat-open"));
document.addEventListener("keydown", (event) => {
  if (event.target.matches("input, textarea") || event.ctrlKey || event.metaKey || event.altKey) return;
  const s = state.suggestions[Number(event.key) - 1];
  if (s && s.card.isConnected) {
    event.preventDefault();
    useSuggestion(s, s.card.querySelector("textarea").value, s.card);
  }
});
$("#send-mode").textContent = IN_WECOM ? "“发送”会立即发给客户。" : "在企业微信外：“使用”会复制到剪贴板。";
if (apiKey()) { $("#key").value = "••••••••"; start(); }
