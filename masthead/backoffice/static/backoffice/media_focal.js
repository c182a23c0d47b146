/* The focal point picker: a click on the picture sets the point (as
   fractions of its width and height), moves the mark and the crop previews
   at once, and saves it. The number fields and their button do the same
   without script, or from the keyboard. Positions reach CSS as fx-N / fy-N
   classes (the Content-Security-Policy allows no inline styles). */
(() => {
  "use strict";
  // Words in the staff member's language (Django's JavaScriptCatalog, /desk/jsi18n/).
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  const picker = document.querySelector("[data-focal-picker]");
  const form = document.querySelector("form[data-focal-form]");
  const previews = document.querySelector("[data-crop-previews]");
  if (!picker || !form) return;
  const inputX = form.elements.focal_x;
  const inputY = form.elements.focal_y;
  const status = form.querySelector("[data-focal-status]");

  function place(element, x, y) {
    for (const name of Array.from(element.classList)) {
      if (/^f[xy]-\d+$/.test(name)) element.classList.remove(name);
    }
    element.classList.add("fx-" + Math.round(x * 100), "fy-" + Math.round(y * 100));
  }

  function show(x, y) {
    place(picker, x, y);
    if (previews) place(previews, x, y);
  }

  async function save() {
    status.textContent = gettext("Saving…");
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const answer = await response.json().catch(() => ({}));
      status.textContent = response.ok
        ? gettext("Focal point saved: every crop keeps it.")
        : format(gettext("Not saved: %(reason)s"), { reason: answer.error || format(gettext("the server answered %(status)s."), { status: response.status }) });
    } catch (error) {
      status.textContent = gettext("Not saved: the connection failed. Try again.");
    }
  }

  const picture = picker.querySelector("img");
  picture.addEventListener("click", (event) => {
    const box = picture.getBoundingClientRect();
    const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    inputX.value = x.toFixed(3);
    inputY.value = y.toFixed(3);
    show(x, y);
    save();
  });
  for (const input of [inputX, inputY]) {
    input.addEventListener("input", () => {
      const x = Number(inputX.value);
      const y = Number(inputY.value);
      if (x >= 0 && x <= 1 && y >= 0 && y <= 1) show(x, y);
    });
  }
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!form.reportValidity()) return;
    save();
  });
})();
