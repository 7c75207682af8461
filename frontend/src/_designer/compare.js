// Visual diff of two deployed versions: bpmn-js-differ over both models, the elements
// marked on side-by-side viewers, and a list of the changes.
import NavigatedViewer from "bpmn-js/lib/NavigatedViewer";
import { diff } from "bpmn-js-differ";
import { BPMN_ZH, translateModule } from "./i18n-zh.js";
import { el, t } from "./util.js";

async function viewer(container, url) {
  const view = new NavigatedViewer({ container, additionalModules: [translateModule(BPMN_ZH)] });
  const response = await fetch(url, { credentials: "same-origin" });
  await view.importXML(await response.text());
  view.get("canvas").zoom("fit-viewport");
  return view;
}

let translate = (text) => text;

function describe(model) {
  // "bpmn:UserTask" -> "User task", the words bpmn-js's menus use (so it is translated).
  const words = (model.$type || "").replace(/^\w+:/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  const type = translate((words.charAt(0).toUpperCase() + words.slice(1)).replace("Sub process", "Sub-process"));
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
  translate = b.get("translate");
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
    // extensionElements (dueIn, forms, operators...) are listed with their values by the
    // server's table below, so they are not repeated here as a bare "changed".
    const attrs = Object.entries(change.attrs || {}).filter(([key]) => key !== "extensionElements").map(([key, v]) => `${key}: ${show(v.oldValue)} → ${show(v.newValue)}`);
    items.push(["changed", id, describe(change.model), attrs.join("; ")]);
  }
  const moved = [];
  for (const [id, change] of Object.entries(changes._layoutChanged)) {
    if (changes._changed[id]) continue;
    mark(a, id, "layout");
    mark(b, id, "layout");
    moved.push(describe(change));
  }
  list.querySelectorAll("[data-diff]").forEach((node) => node.remove());
  const rendered = items.map(([kind, id, label, detail]) =>
    el("li", { class: `fz-change fz-change-${kind}`, "data-diff": kind, "data-element": id }, el("span", { class: `fz-key fz-key-${kind}` }, t(kind)), " ", label, detail ? ` — ${detail}` : ""),
  );
  list.append(...rendered);
  if (moved.length) {
    // Inserting a lane moves every shape below it: one grouped line, not sixty.
    list.append(
      el(
        "li",
        { class: "fz-change fz-change-layout", "data-diff": "layout", "data-moved": String(moved.length) },
        el("span", { class: "fz-key fz-key-layout" }, t("layout")),
        " ",
        el("details", {}, el("summary", {}, t("moved_group", moved.length)), el("ul", {}, moved.map((m) => el("li", {}, m)))),
      ),
    );
  }
  if (!list.querySelector("li:not(.empty)")) list.append(el("li", { class: "empty" }, t("no_changes")));
  root.dataset.ready = "true";
}
