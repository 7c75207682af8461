// A form field's details in the designer's panel, on rows of their own: its choices,
// format and description, and for a field of kind attachment (docs/documents.md) the
// schema's x-attachment, with the kinds it accepts, how many files and how large.
import { el, t } from "./util.js";

export const FILE_KINDS = ["pdf", "jpeg", "png"];
export const ATTACHMENT = "x-attachment";
const FORMATS = ["", "date", "date-time", "email"];
export const newAttachment = () => ({ accept: [...FILE_KINDS], maxFiles: 3, maxSize: 10 * 1024 * 1024 });

// The limits of a field of kind attachment: what it accepts, how many files, how large.
export function attachmentLimits(name, limits, save) {
  const kinds = FILE_KINDS.map((kind) => {
    const box = el("input", { type: "checkbox", checked: (limits.accept || FILE_KINDS).includes(kind), "data-accept": kind });
    box.addEventListener("change", () => {
      const chosen = new Set(limits.accept || FILE_KINDS);
      if (box.checked) chosen.add(kind);
      else chosen.delete(kind);
      limits.accept = FILE_KINDS.filter((k) => chosen.has(k));
      save();
    });
    return el("label", { class: "inline" }, box, ` ${t(`kind_${kind}`)} `);
  });
  const count = el("input", { type: "number", min: 1, max: 10, value: limits.maxFiles || 1, "data-max-files": name, size: 3 });
  count.addEventListener("change", () => {
    limits.maxFiles = Math.min(10, Math.max(1, parseInt(count.value, 10) || 1));
    save();
  });
  const size = el("input", { type: "number", min: 1, max: 20, value: Math.round((limits.maxSize || 10485760) / 1048576), "data-max-size": name, size: 3 });
  size.addEventListener("change", () => {
    limits.maxSize = Math.min(20, Math.max(1, parseInt(size.value, 10) || 10)) * 1048576;
    save();
  });
  return el(
    "tr",
    { "data-attachment-limits": name },
    el("td", { colspan: 5 }, t("accepts"), " ", kinds, el("label", { class: "inline" }, ` ${t("max_files")} `, count), el("label", { class: "inline" }, ` ${t("max_size_mb")} `, size)),
  );
}

export function fieldDetails(name, prop, save) {
  // Choices (enum), format and description of one field, on a row of their own.
  const choices = el("input", { value: (prop.enum || []).join(", "), placeholder: t("field_choices"), "data-form-enum": name });
  choices.addEventListener("change", () => {
    const values = choices.value.split(/[,，]/).map((v) => v.trim()).filter(Boolean);
    if (values.length) prop.enum = prop.type === "integer" || prop.type === "number" ? values.map(Number) : values;
    else delete prop.enum;
    save();
  });
  const format = el("select", { "data-form-format": name }, FORMATS.map((f) => el("option", { value: f, selected: f === (prop.format || "") }, f ? t(`format_${f}`) : t("format_none"))));
  format.addEventListener("change", () => {
    if (format.value) prop.format = format.value;
    else delete prop.format;
    save();
  });
  const description = el("input", { value: prop.description || "", placeholder: t("field_description"), "data-form-description": name });
  description.addEventListener("change", () => {
    if (description.value.trim()) prop.description = description.value.trim();
    else delete prop.description;
    save();
  });
  return el("tr", { class: "field-details" }, el("td", { colspan: 5 }, choices, " ", format, " ", description));
}
