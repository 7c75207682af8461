// Small helpers shared by the designer's modules.
export const texts = JSON.parse(document.getElementById("designer-i18n")?.textContent || "{}");

export function t(key, ...args) {
  let text = texts[key] || key;
  for (const arg of args) text = text.replace("%s", arg);
  return text;
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "value") node.value = value;
    else if (key === "checked") node.checked = Boolean(value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export async function postJSON(url, body) {
  const token = document.querySelector("[name=csrfmiddlewaretoken]")?.value || "";
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": token },
    body: JSON.stringify(body),
  });
  let data = {};
  try {
    data = await response.json();
  } catch (error) {
    data = { error: `HTTP ${response.status}` };
  }
  return { ok: response.ok, status: response.status, data };
}

export function download(name, text) {
  const link = el("a", {
    href: URL.createObjectURL(new Blob([text], { type: "application/octet-stream" })),
    download: name.split("/").pop(),
  });
  document.body.append(link);
  link.click();
  link.remove();
}
