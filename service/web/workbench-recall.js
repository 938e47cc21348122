// The guide's recall tasks this month, in a small panel above the inbox: each customer, why
// she is on the list, drafted openers to copy, and done / skip (her own tasks only).
"use strict";

function thisMonth() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7);  // UTC+8
}

async function markRecall(task, status) {
  try {
    await api(`/v1/recall-tasks/${encodeURIComponent(task.task_id)}/status`,
              { method: "POST", body: JSON.stringify({ status }) });
    loadRecall();
  } catch (error) { showError(error); }
}

function recallItem(task) {
  const item = el("li", undefined, "recall-" + task.status);
  item.dataset.task = task.task_id;
  const who = el("div", undefined, "who");
  who.append(el("strong", task.customer_id.slice(0, 10)),
             el("span", RECALL_NAMES[task.group] || task.group_name, "tag"));
  item.append(who, el("div", task.reason, "muted"));
  task.drafts.forEach((draft) => {
    const button = el("button", "复制", "copy-draft");
    button.type = "button";
    button.addEventListener("click", () => copyText(draft.text).catch(showError));
    const line = el("div", undefined, "draft");
    line.append(el("span", draft.text), button);
    item.appendChild(line);
  });
  if (task.status === "open") {
    [["done", "已联系"], ["skipped", "跳过"]].forEach(([status, label]) => {
      const button = el("button", label, "mark-" + status);
      button.type = "button";
      button.addEventListener("click", () => markRecall(task, status));
      item.appendChild(button);
    });
  } else {
    item.appendChild(el("span", task.status === "done" ? "已联系" : "已跳过", "muted"));
  }
  return item;
}

async function loadRecall() {
  try {
    const board = await api("/v1/recall-tasks?month=" + thisMonth());
    const done = board.tasks.filter((t) => t.status === "done").length;
    $("#recall-count").textContent = `${done}/${board.tasks.length}`;
    $("#recall").replaceChildren(...board.tasks.map(recallItem));
  } catch (error) { showError(error); }
}
