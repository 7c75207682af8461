// The draft editor: BPMN files in bpmn-js, DMN files in dmn-js, forms in the panel (or
// as JSON text); save with the revision it started from, server checks + bpmnlint
// marked on the elements, deploy, and the sandbox test run.
import BpmnModeler from "bpmn-js/lib/Modeler";
import DmnModeler from "dmn-js/lib/Modeler";
import { layoutProcess } from "bpmn-auto-layout";
import spiffModdle from "./spiff-moddle.js";
import { FuzhiPanel } from "./panel.js";
import { lint } from "./lint.js";
import { Sandbox } from "./sandbox.js";
import { BPMN_ZH, DMN_ZH, translateModule, warningText } from "./i18n-zh.js";
import { download, el, postJSON, t } from "./util.js";

const MARKERS = ["fz-error", "fz-warn"];
// DMN cells and input expressions are Python here (SpiffWorkflow evaluates them so), never FEEL.
const PYTHON = { value: "python", label: "Python" };
const EXPRESSION_LANGUAGES = { options: [PYTHON], defaults: { editor: "python", inputCell: "python", outputCell: "python" } };

export class Editor {
  constructor(root) {
    this.root = root;
    this.config = JSON.parse(document.getElementById("designer-config").textContent);
    this.files = { ...this.config.files };
    this.revision = this.config.revision;
    this.serverProblems = this.config.problems || [];
    this.lintProblems = [];
    this.marked = [];
    this.current = null;
    this.dirty = false;
    this.urls = this.config.urls;
    this.status = root.querySelector("[data-testid=designer-status]");
    this.canvas = root.querySelector("[data-testid=designer-canvas]");
    this.bpmnBox = el("div", { class: "designer-bpmn" });
    this.dmnBox = el("div", { class: "designer-dmn", hidden: true });
    this.textBox = el("textarea", { class: "designer-text", hidden: true, spellcheck: "false", "data-testid": "designer-text" });
    this.canvas.append(this.bpmnBox, this.dmnBox, this.textBox);
    this.modeler = new BpmnModeler({
      container: this.bpmnBox,
      moddleExtensions: { spiffworkflow: spiffModdle },
      additionalModules: [translateModule(BPMN_ZH)],
    });
    this.dmn = new DmnModeler({
      container: this.dmnBox,
      // dmn-js's Manager replaces common.additionalModules with each view's own, so the
      // translation goes to every view by name.
      common: { expressionLanguages: EXPRESSION_LANGUAGES },
      drd: { additionalModules: [translateModule(DMN_ZH)] },
      decisionTable: { additionalModules: [translateModule(DMN_ZH)] },
      literalExpression: { additionalModules: [translateModule(DMN_ZH)] },
      boxedExpression: { additionalModules: [translateModule(DMN_ZH)] },
    });
    const bundle = { files: this.files, changed: () => this.touch() };
    this.panel = new FuzhiPanel({ container: root.querySelector("[data-testid=designer-panel]"), modeler: this.modeler, config: this.config, bundle });
    this.sandbox = new Sandbox({ editor: this, container: root.querySelector("[data-testid=designer-sandbox]") });
    this.modeler.get("eventBus").on("commandStack.changed", () => {
      this.touch();
      this.scheduleLint();
    });
    this.textBox.addEventListener("input", () => {
      this.files[this.current] = this.textBox.value;
      this.touch();
    });
    // Only the toolbar's own buttons: bpmn-js's palette and context pad carry data-action
    // too ("hand-tool"), and binding them here answered "this[e] is not a function".
    root.querySelectorAll("[data-designer-action]").forEach((button) =>
      button.addEventListener("click", () => this.run(button.dataset.designerAction)),
    );
    // The panel's script field asks for the server's check while the designer types.
    root.addEventListener("fz-check", () => this.run("check"));
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty) event.preventDefault();
    });
  }

  async start() {
    this.renderTabs();
    const first = this.names().find((n) => /\.(bpmn|xml)$/.test(n)) || this.names()[0];
    await this.open(first);
    this.renderProblems();
    this.root.dataset.ready = "true";
  }

  names() {
    const order = (n) => (/\.(bpmn|xml)$/.test(n) ? 0 : n.endsWith(".dmn") ? 1 : 2);
    return Object.keys(this.files).sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  }

  touch() {
    this.dirty = true;
    this.root.dataset.dirty = "true";
  }

  say(message, kind = "info") {
    this.status.replaceChildren(message);
    this.status.className = `designer-status msg ${kind}`;
  }

  // ------------------------------------------------------------------ files

  renderTabs() {
    const nav = this.root.querySelector("[data-testid=designer-files]");
    nav.replaceChildren(
      ...this.names().map((name) =>
        el("button", { type: "button", class: name === this.current ? "tab active" : "tab", "data-file": name, onclick: () => this.open(name) }, name),
      ),
    );
  }

  async sync() {
    // Write the open editor's content back into the bundle before anything reads it.
    const name = this.current;
    if (!name) return;
    if (/\.(bpmn|xml)$/.test(name) && this.bpmnOpen) {
      this.files[name] = (await this.modeler.saveXML({ format: true })).xml;
    } else if (name.endsWith(".dmn") && this.dmnOpen) {
      this.files[name] = (await this.dmn.saveXML({ format: true })).xml;
    }
  }

  async open(name) {
    await this.sync();
    this.current = name;
    this.bpmnOpen = this.dmnOpen = false;
    this.lintProblems = [];
    this.panel.show(null);
    const text = this.files[name];
    const isBpmn = /\.(bpmn|xml)$/.test(name) && text.includes("BPMN/20100524/MODEL");
    const isDmn = name.endsWith(".dmn");
    this.bpmnBox.hidden = !isBpmn;
    this.dmnBox.hidden = !isDmn;
    this.textBox.hidden = isBpmn || isDmn;
    this.root.querySelector(".designer-main").classList.toggle("no-panel", !isBpmn);
    this.renderTabs();
    try {
      if (isBpmn) {
        await this.importBpmn(name, text);
        this.bpmnOpen = true;
        this.fit();
        await this.runLint();
      } else if (isDmn) {
        await this.importDmn(text);
        this.dmnOpen = true;
        // One decision table: open it rather than the decision requirements diagram.
        const tables = this.dmn.getViews().filter((view) => view.type === "decisionTable");
        if (tables.length === 1) await this.dmn.open(tables[0]);
      } else {
        this.textBox.value = text;
        if (!name.endsWith(".json")) this.say(`${name}: ${t("not_a_model")}`, "error");
      }
    } catch (error) {
      // A file the modeler cannot show still opens as text, with the reason.
      this.bpmnBox.hidden = this.dmnBox.hidden = true;
      this.textBox.hidden = false;
      this.textBox.value = text;
      const reason = /no diagram to display/i.test(String(error.message)) ? t("no_diagram") : warningText(String(error.message || error));
      this.say(`${name}: ${reason}`, "error");
    }
    this.renderProblems();
  }

  fit() {
    // Fit the diagram, then leave room on the left for the palette that overlays it.
    const canvas = this.modeler.get("canvas");
    canvas.zoom("fit-viewport");
    const { width, height } = canvas.viewbox().outer;
    canvas.zoom(canvas.zoom() * 0.85, { x: width / 2, y: height / 2 });
    canvas.scroll({ dx: 60, dy: 0 });
  }

  async importBpmn(name, text) {
    try {
      const { warnings } = await this.modeler.importXML(text);
      this.importWarnings(name, warnings);
    } catch (error) {
      // A model from a tool that writes no diagram (no BPMNDI): lay it out, say so.
      if (!/no diagram to display/i.test(String(error.message))) throw error;
      let laidOut;
      try {
        laidOut = await layoutProcess(text);
      } catch (layoutError) {
        throw error; // not even a layout can be made: shown as text with the reason
      }
      await this.modeler.importXML(laidOut);
      this.say(`${name}: ${t("laid_out")}`, "info");
    }
  }

  async importDmn(text) {
    try {
      await this.dmn.importXML(text);
    } catch (error) {
      // dmn-js reads DMN 1.3; a DMN 1.4/1.5 table (same structure) is shown as DMN 1.3.
      const older = text
        .replace(/https:\/\/www\.omg\.org\/spec\/DMN\/(20211108|20230324)\/MODEL\//g, "https://www.omg.org/spec/DMN/20191111/MODEL/")
        .replace(/https:\/\/www\.omg\.org\/spec\/DMN\/(20211108|20230324)\/DMNDI\//g, "https://www.omg.org/spec/DMN/20191111/DMNDI/");
      if (older === text) throw error;
      await this.dmn.importXML(older);
      this.say(t("dmn_converted"), "info");
    }
  }

  // --------------------------------------------------------------- problems

  scheduleLint() {
    clearTimeout(this.lintTimer);
    this.lintTimer = setTimeout(() => this.runLint().then(() => this.renderProblems()), 300);
  }

  async runLint() {
    if (!this.bpmnOpen) return;
    try {
      this.lintProblems = await lint(this.modeler.getDefinitions());
    } catch (error) {
      this.lintProblems = [];
    }
    this.renderProblems();
  }

  problems() {
    const server = this.serverProblems.map((p) => ({ ...p, source: "check", category: "error" }));
    const lintFile = this.bpmnOpen ? this.current : "";
    const linted = this.lintProblems.map((p) => ({ ...p, file: lintFile, source: "lint" }));
    return [...server, ...linted];
  }

  renderProblems() {
    const list = this.root.querySelector("[data-testid=designer-problems]");
    const problems = this.problems();
    this.root.querySelector("[data-testid=problem-count]").textContent = `(${problems.length})`;
    list.replaceChildren(
      ...(problems.length
        ? problems.map((p) =>
            el(
              "li",
              { class: `problem ${p.category}`, "data-element": p.element_id || "", "data-source": p.source, onclick: () => this.reveal(p) },
              el("span", { class: "badge" }, t(p.source)),
              " ",
              p.element_id ? el("code", {}, p.element_id) : null,
              " ",
              p.source === "check" ? p.text : p.message,
            ),
          )
        : [el("li", { class: "empty" }, t("no_problems"))]),
    );
    this.markProblems();
  }

  markProblems() {
    if (!this.bpmnOpen) return;
    const canvas = this.modeler.get("canvas");
    const registry = this.modeler.get("elementRegistry");
    const overlays = this.modeler.get("overlays");
    for (const id of this.marked) MARKERS.forEach((m) => registry.get(id) && canvas.removeMarker(id, m));
    overlays.remove({ type: "fz-problem" });
    const counts = {};
    for (const p of this.problems()) {
      if (!p.element_id || (p.file && p.file !== this.current) || !registry.get(p.element_id)) continue;
      counts[p.element_id] = counts[p.element_id] || { n: 0, error: false, messages: [] };
      counts[p.element_id].n += 1;
      counts[p.element_id].error ||= p.category === "error";
      counts[p.element_id].messages.push(p.source === "check" ? p.message : p.message);
    }
    this.marked = Object.keys(counts);
    for (const [id, info] of Object.entries(counts)) {
      canvas.addMarker(id, info.error ? "fz-error" : "fz-warn");
      const badge = el("span", { class: `fz-badge ${info.error ? "error" : "warn"}`, title: info.messages.join("\n"), "data-problem-for": id }, String(info.n));
      overlays.add(id, "fz-problem", { position: { top: -8, right: 8 }, html: badge });
    }
  }

  async reveal(problem) {
    if (problem.file && problem.file !== this.current && this.files[problem.file] !== undefined) await this.open(problem.file);
    if (!this.bpmnOpen || !problem.element_id) return;
    const element = this.modeler.get("elementRegistry").get(problem.element_id);
    if (!element) return;
    this.modeler.get("selection").select(element);
    this.modeler.get("canvas").scrollToElement(element);
  }

  // ----------------------------------------------------------------- actions

  async run(action) {
    const handler = this[`do_${action}`];
    if (typeof handler !== "function") return;
    try {
      await handler.call(this);
    } catch (error) {
      this.say(t("failed", error.message || error), "error");
    }
  }

  async do_save() {
    await this.sync();
    const { ok, status, data } = await postJSON(this.urls.save, { revision: this.revision, files: this.files });
    if (status === 409) return this.conflict(data);
    if (!ok) return this.say(data.error, "error");
    this.revision = data.revision;
    this.root.querySelector("[data-testid=designer-revision]").textContent = data.revision;
    this.serverProblems = data.problems;
    this.dirty = false;
    delete this.root.dataset.dirty;
    this.renderProblems();
    this.say(data.problems.length ? t("saved_with_problems", data.problems.length) : t("saved", data.revision), data.problems.length ? "error" : "info");
  }

  conflict(data) {
    // Nothing is lost: the server sent the user's files back; offer them for download.
    const mine = data.files || this.files;
    const link = el("button", { type: "button", "data-testid": "conflict-download", onclick: () => download(`draft-${this.config.draft}-mine.json`, JSON.stringify(mine, null, 2)) }, t("conflict_download"));
    this.status.replaceChildren(data.error, " ", link);
    this.status.className = "designer-status msg error";
    this.status.dataset.conflict = "true";
  }

  async do_check() {
    await this.sync();
    const { ok, data } = await postJSON(this.urls.check, { files: this.files });
    if (!ok) return this.say(data.error, "error");
    this.serverProblems = data.problems;
    await this.runLint();
    this.renderProblems();
    this.say(data.problems.length ? t("checked_problems", data.problems.length) : t("checked_ok"), data.problems.length ? "error" : "info");
  }

  async do_deploy() {
    if (this.dirty) await this.do_save();
    if (this.dirty) return;
    let { ok, data } = await postJSON(this.urls.deploy, { revision: this.revision });
    if (!ok && data.newer && window.confirm(data.error)) {
      ({ ok, data } = await postJSON(this.urls.deploy, { revision: this.revision, over_newer: true }));
    }
    if (!ok) return this.say(data.error, "error");
    this.status.replaceChildren(
      t("deployed", data.version),
      " ",
      el("a", { href: data.compare_url, "data-testid": "compare-link" }, t("compare")),
      " · ",
      el("a", { href: data.migrate_url }, t("migrate")),
    );
    this.status.className = "designer-status msg info";
    this.status.dataset.deployed = String(data.version);
  }

  async do_download() {
    await this.sync();
    download(this.current, this.files[this.current]);
  }

  importWarnings(name, warnings) {
    // bpmn-js drops what it cannot read (an unknown element, a broken reference): say so.
    if (!warnings || !warnings.length) return;
    const first = warningText(warnings[0].message || String(warnings[0]));
    this.say(`${name}: ${t("import_warnings", warnings.length)} ${first}`, "error");
    this.root.dataset.importWarnings = String(warnings.length);
  }

  async do_xml() {
    // The XML of the open file as text; "apply" reads it back (bpmn-js says what is wrong).
    await this.sync();
    const name = this.current;
    if (!name) return;
    const showing = this.root.dataset.xmlView === "true";
    if (showing) {
      const text = this.textBox.value;
      this.files[name] = text;
      delete this.root.dataset.xmlView;
      await this.open(name);
      return;
    }
    this.root.dataset.xmlView = "true";
    this.bpmnBox.hidden = this.dmnBox.hidden = true;
    this.textBox.hidden = false;
    this.textBox.value = this.files[name];
    this.bpmnOpen = this.dmnOpen = false;
    this.say(t("xml_view"), "info");
  }

  async do_svg() {
    if (!this.bpmnOpen) return this.say(t("export_bpmn_only"), "error");
    const { svg } = await this.modeler.saveSVG();
    download(this.current.replace(/\.[^.]+$/, ".svg"), svg);
  }

  async do_png() {
    if (!this.bpmnOpen) return this.say(t("export_bpmn_only"), "error");
    const { svg } = await this.modeler.saveSVG();
    const image = new Image();
    image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    await image.decode();
    const canvas = el("canvas", { width: image.width * 2, height: image.height * 2 });
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const link = el("a", { href: canvas.toDataURL("image/png"), download: this.current.replace(/\.[^.]+$/, ".png") });
    document.body.append(link);
    link.click();
    link.remove();
  }

  async do_testrun() {
    await this.sync();
    this.sandbox.toggle();
  }
}
