// Page behaviour that used to sit in inline handlers: the Content-Security-Policy allows
// scripts from this origin only, never inline ones.
"use strict";
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
// "Select all" in the inbox's bulk form ticks every task checkbox of its class.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.dataset.selectAll) {
    for (const other of document.querySelectorAll(`input.${box.dataset.selectAll}`)) {
      other.checked = box.checked;
    }
  }
});
// A file field's button and its "nothing chosen" in the page's language: the browser's
// own control speaks the browser's (English "Choose Files" on a Chinese page). The input
// stays in the page, visually hidden but focusable, so forms and keyboards work as before.
document.addEventListener("DOMContentLoaded", () => {
  const texts = document.body.dataset;
  if (!texts.fileChoose) {
    return;
  }
  let count = 0;
  for (const input of document.querySelectorAll('input[type="file"]')) {
    if (!input.id) {
      count += 1;
      input.id = `file-pick-${count}`;
    }
    const wrap = document.createElement("span");
    wrap.className = "file-pick";
    input.parentNode.insertBefore(wrap, input);
    const button = document.createElement("label");
    button.htmlFor = input.id;
    button.className = "button file-pick-button";
    button.textContent = texts.fileChoose;
    const names = document.createElement("span");
    names.className = "file-pick-names";
    names.textContent = texts.fileNone;
    wrap.append(input, button, names);
    input.addEventListener("change", () => {
      const chosen = Array.from(input.files || [], (file) => file.name);
      names.textContent = chosen.length ? chosen.join("、") : texts.fileNone;
    });
  }
});
