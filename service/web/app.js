// Shared by the pages: the API key (kept for this browser tab only) and a fetch helper.
"use strict";

const KEY_NAME = "salesbrain.key";

function apiKey() {
  return sessionStorage.getItem(KEY_NAME) || "";
}

function bindKeyForm(onReady) {
  const input = document.getElementById("key");
  const button = document.getElementById("key-save");
  input.value = apiKey() ? "••••••••" : "";
  button.addEventListener("click", () => {
    if (input.value && !input.value.startsWith("•")) {
      sessionStorage.setItem(KEY_NAME, input.value.trim());
      input.value = "••••••••";
    }
    onReady();
  });
  if (apiKey()) onReady();
}

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

function showError(error) {
  const box = document.getElementById("error");
  box.textContent = error ? String(error.message || error) : "";
}

function fmt(value, digits = 1) {
  if (value === null || value === undefined) return "—";
  return typeof value === "number" ? value.toFixed(digits) : String(value);
}
