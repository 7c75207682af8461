// Visual diff of two deployed versions: bpmn-js-differ over both models, the elements
// marked on side-by-side viewers, and a list of the changes.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { diff } from "bpmn-js-differ";
import { el, t } from "./util.js";

async function viewer(container, url) {
  const view = new NavigatedViewer({ container });
  const response = await fetch(url, { credentials: "same-origin" });
  await view.importXML(await response.text());
  view.get("canvas").zoom("fit-viewport");
  return view;
}

function describe(model) {
  const type = (model.$type || "").replace("bpmn:", "");
  return model.name ? `${type} ${model.id} (${model.name})` : `${type} ${model.id}`;
}

function show(value) {
  // Moddle objects hold their parent: name them instead of serialising them.
  if (value === null || value === undefined) return "—";
  if (typeof value !== "object") return JSON.stringify(value);
  if (value.body !== undefined) return JSON.stringify(value.body);
  if (value.text !== undefined) return JSON.stringify(value.text);
  return value.id || value.name || value.value || value.$type || "…";
}

export async function mountCompare(root) {
  const [a, b] = await Promise.all([
    viewer(root.querySelector("[data-side=a]"), root.dataset.aUrl),
    viewer(root.querySelector("[data-side=b]"), root.dataset.bUrl),
  ]);
  const changes = diff(a.getDefinitions(), b.getDefinitions());
  const list = document.querySelector("[data-testid=compare-changes]");
  const items = [];
  const mark = (view, id, kind) => view.get("elementRegistry").get(id) && view.get("canvas").addMarker(id, `fz-diff-${kind}`);
  for (const [id, model] of Object.entries(changes._removed)) {
    mark(a, id, "removed");
    items.push(["removed", id, describe(model), ""]);
  }
  for (const [id, model] of Object.entries(changes._added)) {
    mark(b, id, "added");
    items.push(["added", id, describe(model), ""]);
  }
  for (const [id, change] of Object.entries(changes._changed)) {
    mark(a, id, "changed");
    mark(b, id, "changed");
    const attrs = Object.entries(change.attrs || {}).map(([key, v]) => `${key}: ${show(v.oldValue)} → ${show(v.newValue)}`);
    items.push(["changed", id, describe(change.model), attrs.join("; ")]);
  }
  for (const [id, change] of Object.entries(changes._layoutChanged)) {
    if (changes._changed[id]) continue;
    mark(a, id, "layout");
    mark(b, id, "layout");
    items.push(["layout", id, describe(change), ""]);
  }
  list.querySelectorAll("[data-diff]").forEach((node) => node.remove());
  const rendered = items.map(([kind, id, label, detail]) =>
    el("li", { class: `fz-change fz-change-${kind}`, "data-diff": kind, "data-element": id }, el("span", { class: `fz-key fz-key-${kind}` }, t(kind)), " ", label, detail ? ` — ${detail}` : ""),
  );
  list.append(...rendered);
  if (!list.querySelector("li:not(.empty)")) list.append(el("li", { class: "empty" }, t("no_changes")));
  root.dataset.ready = "true";
}
