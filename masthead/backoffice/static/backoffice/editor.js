/* The story editor: live character counts, autosave, the soft lock's
   heartbeat, keyboard shortcuts (Ctrl/Cmd+S saves, Ctrl/Cmd+Enter
   submits) and the text of a failed save kept in the browser. Without
   script the form still works: every button is a plain submit button. */
(() => {
  "use strict";
  // Words in the staff member's language (Django's JavaScriptCatalog, /desk/jsi18n/).
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  const form = document.getElementById("story-form");
  if (!form) return;
  const status = document.getElementById("save-status");
  const lockNotice = document.getElementById("lock-notice");
  const seconds = Number(form.dataset.autosaveSeconds || 20);
  let dirty = false;
  let submitting = false;
  let stopped = false;
  let inFlight = false;

  // Character counts ------------------------------------------------------
  for (const output of form.querySelectorAll("output[data-count-for]")) {
    const field = document.getElementById(output.dataset.countFor);
    if (!field) continue;
    const max = Number(output.dataset.max || 0);
    // In the page's digits: ۱۲ / ۲۰۰ in a Persian interface.
    const digits = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      useGrouping: false,
    });
    const update = () => {
      const length = [...field.value].length;
      output.textContent = max
        ? `${digits.format(length)} / ${digits.format(max)}`
        : digits.format(length);
      output.classList.toggle("is-over", max > 0 && length > max);
    };
    field.addEventListener("input", update);
    update();
  }

  // The body editor (Tiptap): spell checking on, words and reading time ----
  const words = document.getElementById("body-words");
  const wordsPerMinute = Number(words?.dataset.wordsPerMinute || 238);
  const segmenter = window.Intl?.Segmenter ? new Intl.Segmenter(undefined, { granularity: "word" }) : null;
  const countWords = (text) =>
    segmenter
      ? [...segmenter.segment(text)].filter((segment) => segment.isWordLike).length
      : text.split(/\s+/).filter(Boolean).length;
  const showWords = (editor) => {
    if (!words) return;
    const count = countWords(editor.state.doc.textBetween(0, editor.state.doc.content.size, " ", " "));
    const minutes = Math.ceil(count / wordsPerMinute);
    const wordCount = format(ngettext("%(count)s word", "%(count)s words", count), { count });
    const reading = format(ngettext("%(minutes)s min read", "%(minutes)s min read", minutes), { minutes });
    words.textContent = count ? `${wordCount} · ${reading}` : wordCount;
  };
  const bodyEditorReady = (editor) => {
    editor.view.dom.setAttribute("spellcheck", "true");
    showWords(editor);
    editor.on("update", () => showWords(editor));
  };
  const readyEditor = form.querySelector(".ProseMirror[contenteditable]")?.editor;
  if (readyEditor) bodyEditorReady(readyEditor);
  else form.addEventListener("prose-editor:ready", (event) => bodyEditorReady(event.detail.editor));

  // The body editor's sticky menu bar sits just under the sticky toolbar ----
  const toolbar = form.querySelector(".editor__toolbar");
  if (toolbar && window.ResizeObserver) {
    new ResizeObserver(() => {
      form.style.setProperty("--toolbar-block-size", `${toolbar.offsetHeight}px`);
    }).observe(toolbar);
  }

  // Times typed in the outlet's zone, with their UTC equivalent as one types.
  // Same words as backoffice/outlet_time.py, which decides on the server.
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December"];
  const two = (number) => String(number).padStart(2, "0");
  const offsetAt = (ms, zone) => {
    const parts = {};
    const format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
      hour: "numeric", minute: "numeric", second: "numeric",
    });
    for (const part of format.formatToParts(new Date(ms))) parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
    return wall - Math.floor(ms / 1000) * 1000;
  };
  const describeTime = (value, zone) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value);
    if (!match) return { text: "" };
    const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part || 0));
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const when = format(gettext("%(time)s on %(day)s %(month)s %(year)s"), {
      time: `${two(hour)}:${two(minute)}`, day, month: gettext(MONTHS[month - 1]), year,
    });
    const found = [...new Set([-864e5, 0, 864e5].map((shift) => wall - offsetAt(wall + shift, zone)))]
      .filter((utc) => offsetAt(utc, zone) === wall - utc);
    if (found.length === 0) {
      return { problem: true, text: format(gettext("There is no %(when)s in %(zone)s: the clocks go forward that night."), { when, zone }) };
    }
    if (found.length > 1) {
      return { problem: true, text: format(gettext("%(when)s happens twice in %(zone)s: the clocks go back that night."), { when, zone }) };
    }
    const utc = new Date(found[0]);
    const text = `${utc.getUTCDate()} ${MONTHS[utc.getUTCMonth()].slice(0, 3)} ${utc.getUTCFullYear()}, `
      + `${two(utc.getUTCHours())}:${two(utc.getUTCMinutes())}:${two(utc.getUTCSeconds())} UTC`;
    return { text };
  };
  for (const hint of form.querySelectorAll("[data-utc-hint]")) {
    const input = document.getElementById(hint.dataset.for);
    const output = hint.querySelector("output");
    if (!input || !output) continue;
    input.addEventListener("input", () => {
      const answer = describeTime(input.value, hint.dataset.timeZone);
      output.textContent = answer.text;
      hint.classList.toggle("is-problem", Boolean(answer.problem));
    });
  }

  // Keyboard shortcuts ----------------------------------------------------
  const press = (selector) => {
    const button = form.querySelector(selector);
    if (!button) return false;
    submitting = true;
    form.requestSubmit(button);
    return true;
  };
  // Capture phase: the body editor binds Mod-Enter (a line break) itself.
  window.addEventListener(
    "keydown",
    (event) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
      const key = event.key.toLowerCase();
      if (key === "s" && press('[data-shortcut="save"]')) {
        event.preventDefault();
        event.stopPropagation();
      } else if (key === "enter" && press('[data-shortcut="submit"]')) {
        event.preventDefault();
        event.stopPropagation();
      }
    },
    true,
  );

  // Text kept in this browser ---------------------------------------------
  // A save that fails (database down, no network, a conflict) must not lose
  // what was typed: the form is kept in localStorage until a save goes
  // through, and offered back when the editor opens again.
  const SUBMITTED = "masthead:submitted-draft";
  // The form's own address (``form.action`` would be its buttons named "action").
  const draftKey = `masthead:draft:${new URL(form.getAttribute("action"), location.href).pathname}`;
  const NOT_KEPT = new Set(["csrfmiddlewaretoken", "action", "base_revision", "lead_image_upload"]);
  const typedText = () => {
    const fields = {};
    for (const [name, value] of new FormData(form)) {
      if (NOT_KEPT.has(name) || typeof value !== "string") continue;
      (fields[name] = fields[name] || []).push(value);
    }
    return fields;
  };
  const keepText = () => {
    const base = form.querySelector("[name=base_revision]");
    const draft = { savedAt: Date.now(), base: base ? base.value : "", fields: typedText() };
    try {
      localStorage.setItem(draftKey, JSON.stringify(draft));
    } catch (error) { /* storage full or off: the form still holds the text */ }
  };
  const forgetText = (key = draftKey) => {
    try {
      localStorage.removeItem(key);
    } catch (error) { /* nothing kept */ }
  };
  const keptText = () => {
    try {
      return JSON.parse(localStorage.getItem(draftKey) || "null");
    } catch (error) {
      return null;
    }
  };
  const restoreText = (draft) => {
    for (const element of form.elements) {
      const values = draft.fields[element.name];
      // A source row's kind and id say which source it is: never taken from a draft.
      if (!values || element.type === "file" || element.hasAttribute("data-not-restored")) continue;
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.includes(element.value);
      } else if (element.multiple) {
        for (const option of element.options) option.selected = values.includes(option.value);
      } else {
        const editor = element.parentElement.querySelector(".ProseMirror[contenteditable]");
        if (editor && editor.editor) editor.editor.commands.setContent(values[0]);
        element.value = values[0];
      }
      element.dispatchEvent(new Event("input", { bubbles: true }));
    }
    // Saved against the revision it started from: a newer one means the conflict page.
    const base = form.querySelector("[name=base_revision]");
    if (base && draft.base) base.value = draft.base;
    dirty = true;
  };
  const offerKeptText = (draft) => {
    const offer = document.createElement("div");
    offer.className = "notice kept-text";
    offer.setAttribute("role", "alert");
    const when = new Date(draft.savedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    const words = document.createElement("p");
    words.textContent = format(gettext("Text you typed at %(when)s was not saved. It was kept in this browser."), { when });
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "button button--primary";
    restore.textContent = gettext("Restore my text");
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "button";
    discard.textContent = gettext("Discard it");
    restore.addEventListener("click", () => {
      restoreText(draft);
      offer.remove();
      say(gettext("Your kept text is back in the form: save it."), true);
    });
    discard.addEventListener("click", () => {
      forgetText();
      offer.remove();
    });
    offer.append(words, restore, " ", discard);
    form.before(offer);
  };
  // After a save that went through, the page says so: what was kept is saved.
  const submitted = (() => {
    try {
      const key = sessionStorage.getItem(SUBMITTED);
      sessionStorage.removeItem(SUBMITTED);
      return key;
    } catch (error) {
      return null;
    }
  })();
  if (submitted && document.querySelector(".message--success")) forgetText(submitted);
  if ("offerKeptText" in form.dataset) {
    const draft = keptText();
    if (draft && JSON.stringify(draft.fields) !== JSON.stringify(typedText())) {
      offerKeptText(draft);
    } else if (draft) {
      forgetText();
    }
  }

  // Changes, leaving the page ---------------------------------------------
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("change", () => { dirty = true; });
  form.addEventListener("submit", () => {
    submitting = true;
    keepText();
    try {
      sessionStorage.setItem(SUBMITTED, draftKey);
    } catch (error) { /* storage off: the form alone keeps the text */ }
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty && !submitting) event.preventDefault();
  });

  const csrf = () => form.querySelector("[name=csrfmiddlewaretoken]").value;
  const showLock = (answer) => {
    if (!lockNotice || !answer) return;
    if (answer.holder) {
      lockNotice.textContent = format(gettext("%(holder)s is editing since %(since)s"), answer);
      lockNotice.hidden = false;
    } else {
      lockNotice.hidden = true;
    }
  };
  const say = (text, problem = false) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("is-problem", problem);
  };

  if (!form.dataset.autosaveUrl) return;

  // Autosave and heartbeat -------------------------------------------------
  const autosave = async () => {
    if (stopped || submitting || inFlight) return;
    inFlight = true;
    const wasDirty = dirty;
    const body = wasDirty ? new FormData(form) : new FormData();
    body.delete("lead_image_upload");
    body.delete("action");
    if (!wasDirty) body.set("csrfmiddlewaretoken", csrf());
    dirty = false;
    try {
      const response = await fetch(wasDirty ? form.dataset.autosaveUrl : form.dataset.lockUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      });
      const answer = await response.json().catch(() => ({}));
      showLock(answer);
      if (!wasDirty) return;
      if (answer.status === "saved" || answer.status === "unchanged") {
        form.querySelector("[name=base_revision]").value = answer.revision;
        if (answer.status === "saved") say(format(gettext("Saved automatically at %(saved_at)s."), answer));
        if (!dirty) forgetText();
        return;
      }
      keepText();
      if (answer.status === "conflict") {
        stopped = true;
        say(format(gettext("Not saved automatically: %(message)s Press Save to compare and merge."), answer), true);
      } else if (answer.status === "invalid") {
        dirty = true;
        say(gettext("Not saved automatically: some fields need correcting (press Save to see them)."), true);
      } else if (response.status >= 500) {
        // The database or the server is down for a moment: try again at the next tick.
        dirty = true;
        say(answer.message || gettext("Not saved: the server is not answering. Your text is kept in this browser."), true);
      } else {
        stopped = true;
        say(format(gettext("Not saved automatically: %(message)s"), { message: answer.message || gettext("the server refused.") }), true);
      }
    } catch (error) {
      dirty = dirty || wasDirty;
      keepText();
      say(gettext("Not saved automatically: no connection. Your text is kept in this browser."), true);
    } finally {
      inFlight = false;
    }
  };
  window.setInterval(autosave, seconds * 1000);

  window.addEventListener("pagehide", () => {
    if (submitting) return;
    const body = new FormData();
    body.set("csrfmiddlewaretoken", csrf());
    navigator.sendBeacon(form.dataset.unlockUrl, body);
  });
})();
