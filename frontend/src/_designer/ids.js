// Readable ids for new elements: ids appear in case histories and migration reasons, so
// "Activity_0fkt9dj" becomes the element's kind and a number, or the words of its name.
const GENERATED_ID = /^(Activity|Event|Gateway|Flow|Lane|Participant|DataObjectReference|DataStoreReference|TextAnnotation|Group|Association|DataInputAssociation|DataOutputAssociation)_[0-9a-z]{7}$/;

export function readableId(modeler, element) {
  // A new element's generated id becomes its kind and a number ("userTask_2"), or the
  // words of an ASCII name ("review_application"), so histories read well.
  const bo = element.businessObject;
  if (!bo || !(GENERATED_ID.test(bo.id) || bo.$fzReadable === bo.id)) return;
  const registry = modeler.get("elementRegistry");
  const words = (bo.name || "").normalize("NFKD").replace(/[^A-Za-z0-9]+/g, "_").replace(/^_+|_+$/g, "").toLowerCase();
  const base = /^[a-z]/.test(words) ? words.slice(0, 40) : bo.$type.replace(/^\w+:/, "").replace(/^./, (c) => c.toLowerCase());
  let candidate = base;
  for (let n = 1; registry.get(candidate) && candidate !== bo.id; n += 1) candidate = `${base}_${n}`;
  if (candidate === bo.id) return;
  modeler.get("modeling").updateProperties(element, { id: candidate });
  bo.$fzReadable = candidate;
}
