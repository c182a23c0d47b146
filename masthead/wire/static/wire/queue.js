/* The wire queue, live: every few seconds ask the server for the rows that are
   new or changed since the last answer (wire/views.py `poll`), put new ones on
   top, replace changed ones in place (keeping a ticked box ticked) and read
   out flash and urgent items. Without script the page is the same list, as of
   its loading: reload shows what came since. */
(() => {
  "use strict";
  // Words in the staff member's language (Django's JavaScriptCatalog, /desk/jsi18n/).
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  const form = document.getElementById("wire-queue");
  const rows = document.getElementById("wire-rows");
  const announce = document.getElementById("wire-announce");
  const note = document.getElementById("wire-live-note");
  if (!form || !rows || !form.dataset.pollUrl) return;

  const every = Math.max(1, Number(form.dataset.pollSeconds) || 15) * 1000;
  let since = form.dataset.since;
  const announced = new Set();

  function rowFrom(html) {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  function place(data) {
    const fresh = rowFrom(data.html);
    if (!fresh) return false;
    const current = rows.querySelector(`tr[data-item="${data.id}"]`);
    if (current) {
      if (current.dataset.version === data.version) return false;
      const box = current.querySelector("input[type=checkbox]");
      const freshBox = fresh.querySelector("input[type=checkbox]");
      if (box && freshBox && !freshBox.disabled) freshBox.checked = box.checked;
      current.replaceWith(fresh);
    } else {
      const empty = rows.querySelector("tr.wire-empty");
      if (empty) empty.remove();
      rows.prepend(fresh);
    }
    fresh.classList.add("wire-item--arrived");
    return true;
  }

  function stop(text) {
    if (note) note.textContent = text;
  }

  async function poll() {
    const url = `${form.dataset.pollUrl}&since=${encodeURIComponent(since)}`;
    let answer;
    try {
      const response = await fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        redirect: "manual",
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok || !type.startsWith("application/json")) {
        stop(gettext("Live updates stopped (signed out, or the server refused): reload the page."));
        return;
      }
      answer = await response.json();
    } catch (error) {
      // Offline for a moment: try again at the next turn.
      window.setTimeout(poll, every);
      return;
    }
    since = answer.since;
    const urgent = [];
    // Oldest first, so the newest ends on top.
    for (const data of answer.rows.slice().reverse()) {
      const changed = place(data);
      if (changed && data.urgent && !announced.has(data.id)) {
        announced.add(data.id);
        urgent.push(data.headline);
      }
    }
    if (urgent.length && announce) {
      announce.textContent = format(gettext("Urgent on the wire: %(items)s"), { items: urgent.join(" · ") });
    }
    window.setTimeout(poll, every);
  }

  window.setTimeout(poll, every);
})();
