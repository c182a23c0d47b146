/* The conflict page: for each body passage both people changed, choosing
   yours, theirs or both rebuilds the body in the editor from the merge's
   passages (the JSON in #body-passages, made by backoffice/merge.py).
   Without script the choices stay hidden: both versions are shown side by
   side and the body holds yours, to edit by hand. */
(() => {
  "use strict";
  // Words in the staff member's language (Django's JavaScriptCatalog, /desk/jsi18n/).
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  const data = document.getElementById("body-passages");
  const form = document.getElementById("story-form");
  if (!data || !form) return;
  const passages = JSON.parse(data.textContent);
  const groups = [...document.querySelectorAll("[data-passage-choice]")];
  if (!groups.length) return;

  const chosen = new Map(groups.map((group) => [group.dataset.passageChoice, "mine"]));
  let editedByHand = false;
  let applying = false;

  // The body editor (django-prose-editor's Tiptap) keeps its textarea in step.
  form.addEventListener("input", (event) => {
    if (!applying && event.target.name === "body") editedByHand = true;
  });

  const body = () =>
    passages
      .map((passage) => {
        const choice = passage.number ? chosen.get(String(passage.number)) : "mine";
        if (choice === "theirs") return passage.theirs;
        if (choice === "both") return passage.mine + passage.theirs;
        return passage.mine;
      })
      .join("");

  for (const group of groups) {
    group.hidden = false;
    group.addEventListener("change", (event) => {
      const number = group.dataset.passageChoice;
      const editor = form.querySelector(".ProseMirror[contenteditable]")?.editor;
      const replaceEdits =
        !editedByHand ||
        window.confirm(gettext("This replaces the body in the editor, with the changes you made to it here, by the merge as you chose. Go on?"));
      if (!editor || !replaceEdits) {
        group.querySelector(`input[value="${chosen.get(number)}"]`).checked = true;
        return;
      }
      chosen.set(number, event.target.value);
      applying = true;
      try {
        editor.commands.setContent(body(), { emitUpdate: true });
      } finally {
        applying = false;
      }
      editedByHand = false;
    });
  }
})();
