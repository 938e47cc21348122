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

function showError(error) {
  const box = document.getElementById("error");
  box.textContent = error ? String(error.message || error) : "";
}

function fmt(value, digits = 1) {
  if (value === null || value === undefined) return "—";
  return typeof value === "number" ? value.toFixed(digits) : String(value);
}
