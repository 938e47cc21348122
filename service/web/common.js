// Shared by the manager page and the workbench: API calls with the page's key, safe text
// nodes and copying to the clipboard. Each page defines apiKey().
"use strict";

async function api(path, options = {}) {
  const headers = { "Authorization": "Bearer " + apiKey(), ...(options.headers || {}) };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  const body = response.status === 204 ? null : await response.json();
  if (!response.ok) {
    const detail = Array.isArray(body && body.detail)
      ? body.detail.map((d) => d.field + "：" + d.reason).join("；")
      : (body && body.detail) || response.statusText;
    throw new Error(response.status + " " + detail);
  }
  return body;
}

function el(tag, text, className) {
  // Text only, never HTML: chat content must not become markup.
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

async function copyText(text) {
  // Copied, never sent: the open chat may be another customer's.
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = el("textarea");
  area.value = text;
  document.body.appendChild(area);
  area.select();
  document.execCommand("copy");
  area.remove();
}
