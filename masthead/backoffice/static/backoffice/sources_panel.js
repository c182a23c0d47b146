/* The story editor's sources panel, improved: "Add" buttons put an empty
   row of that kind at the end of the list, and each row gets "Move up",
   "Move down" (and "Discard" for a row not saved yet). Without script the
   panel works as sent: an empty row per kind under "Add a source", a
   "Place" number to order, a "Remove when saved" box. */
(() => {
  "use strict";
  // Words in the staff member's language (Django's JavaScriptCatalog, /desk/jsi18n/).
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  const panel = document.getElementById("sources-panel");
  if (!panel) return;
  const list = document.getElementById("source-list");
  const adder = document.getElementById("source-add");
  const form = panel.closest("form");
  let next = 0;
  for (const row of panel.querySelectorAll("[data-source-row]")) {
    next = Math.max(next, Number(row.dataset.sourceRow) + 1);
  }

  const renumber = (changed = true) => {
    let number = 0;
    for (const row of list.children) {
      const removed = row.querySelector("input[name$='-remove']")?.checked;
      const position = row.querySelector("[data-source-position]");
      if (position) position.value = String([...list.children].indexOf(row) + 1);
      const label = row.querySelector(".source-row__number");
      if (!removed) number += 1;
      if (label) label.textContent = removed ? gettext("Removed") : format(gettext("Source %(number)s"), { number });
      const up = row.querySelector("[data-move='up']");
      const down = row.querySelector("[data-move='down']");
      if (up) up.disabled = row === list.firstElementChild;
      if (down) down.disabled = row === list.lastElementChild;
    }
    // A move or a discarded row is a change the autosave must send (not the first numbering).
    if (changed) form?.dispatchEvent(new Event("input", { bubbles: true }));
  };

  const button = (text, action, label) => {
    const element = document.createElement("button");
    element.type = "button";
    element.className = "button";
    element.textContent = text;
    element.dataset.move = action;
    element.setAttribute("aria-label", label);
    return element;
  };

  const equip = (row) => {
    row.querySelector(".source-row__position")?.setAttribute("hidden", "");
    const legend = row.querySelector("legend");
    const name = () => legend?.textContent.trim() || gettext("this source");
    const tools = document.createElement("div");
    tools.className = "source-row__tools";
    tools.append(button(gettext("↑ Move up"), "up", format(gettext("Move up: %(name)s"), { name: name() })));
    tools.append(button(gettext("↓ Move down"), "down", format(gettext("Move down: %(name)s"), { name: name() })));
    if (!row.querySelector("input[name$='-id']")?.value) {
      tools.append(button(gettext("Discard"), "discard", format(gettext("Discard: %(name)s"), { name: name() })));
    }
    row.querySelector(".source-row__fields").append(tools);
  };

  list.addEventListener("click", (event) => {
    const target = event.target.closest("[data-move]");
    if (!target) return;
    const row = target.closest("[data-source-row]");
    if (target.dataset.move === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (target.dataset.move === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    } else if (target.dataset.move === "discard") {
      row.remove();
      renumber();
      return;
    } else {
      return;
    }
    row.classList.add("is-moved");
    window.setTimeout(() => row.classList.remove("is-moved"), 800);
    renumber();
    target.focus();
  });
  list.addEventListener("change", (event) => {
    if (event.target.matches("input[name$='-remove']")) renumber();
  });

  // Empty rows become templates behind "Add" buttons.
  const templates = new Map();
  const buttons = document.createElement("div");
  buttons.className = "actions source-add__buttons";
  for (const details of adder.querySelectorAll("details[data-source-kind]")) {
    const row = details.querySelector("[data-source-row]");
    const typed = [...row.querySelectorAll("input:not([type=hidden]):not([data-source-position]), textarea, select")]
      .some((input) => (input.type === "checkbox" ? input.checked : input.value.trim() !== ""));
    if (typed) continue;  // something typed there (a kept draft): leave it where it is
    templates.set(details.dataset.sourceKind, row.cloneNode(true));
    const label = details.querySelector("summary").textContent.trim();
    const add = document.createElement("button");
    add.type = "button";
    add.className = "button";
    add.textContent = `+ ${label}`;
    add.dataset.addKind = details.dataset.sourceKind;
    buttons.append(add);
    details.remove();
  }
  adder.querySelector(".source-add__title")?.after(buttons);
  buttons.addEventListener("click", (event) => {
    const kind = event.target.closest("[data-add-kind]")?.dataset.addKind;
    const template = kind && templates.get(kind);
    if (!template) return;
    const row = template.cloneNode(true);
    const old = `source-${row.dataset.sourceRow}-`;
    const index = next++;
    row.dataset.sourceRow = String(index);
    for (const element of row.querySelectorAll("[name], [id], [for], [aria-describedby]")) {
      for (const attribute of ["name", "id", "for", "aria-describedby"]) {
        const value = element.getAttribute(attribute);
        if (value && value.includes(old)) element.setAttribute(attribute, value.replaceAll(old, `source-${index}-`));
      }
    }
    const legend = row.querySelector("legend");
    const number = document.createElement("span");
    number.className = "source-row__number";
    legend.prepend(number, " · ");
    list.append(row);
    equip(row);
    renumber();
    row.querySelector("input:not([type=hidden]), textarea, select")?.focus();
  });

  for (const row of list.children) equip(row);
  renumber(false);
})();
