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
