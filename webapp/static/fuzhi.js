// Page behaviour that used to sit in inline handlers: the Content-Security-Policy allows
// scripts from this origin only, never inline ones.
"use strict";
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) {
    field.form.submit();
  }
});
