/* The workflow panel: a step that is hard to undo (withdraw) asks first, in a
   dialog that says what will happen. Without script the panel's checkbox
   does the same: the server refuses the step until it is ticked. */
(() => {
  "use strict";
  for (const button of document.querySelectorAll("button[data-confirm]")) {
    const dialog = document.getElementById(button.dataset.confirm);
    const box = button.form && button.form.querySelector("input[name=confirm]");
    if (!dialog || !box || typeof dialog.showModal !== "function") continue;
    button.addEventListener("click", (event) => {
      if (box.checked) return;
      event.preventDefault();
      dialog.showModal();
    });
    dialog.querySelector("[data-confirm-yes]").addEventListener("click", () => {
      box.checked = true;
      dialog.close();
      button.form.requestSubmit(button);
    });
    dialog.querySelector("[data-confirm-no]").addEventListener("click", () => dialog.close());
  }
})();
