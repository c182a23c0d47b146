/* The media library's upload: drop files on the form (or choose them) and
   each goes to the server in a request of its own, with a progress bar and
   the server's answer (a link to the stored image, or why it was refused).
   Without script the same form sends all the files in one request. */
(() => {
  "use strict";
  // Words in the staff member's language (Django's JavaScriptCatalog, /desk/jsi18n/).
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((one, many, count) => (count === 1 ? one : many));
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, name) => values[name]);
  const form = document.querySelector("form[data-media-upload]");
  const list = document.querySelector("[data-upload-list]");
  if (!form || !list || !window.FormData || !window.XMLHttpRequest) return;
  const input = form.querySelector("input[type=file]");
  const zone = form.querySelector("[data-drop-zone]");
  const hint = form.querySelector("[data-drop-hint]");
  const button = form.querySelector("[data-upload-button]");
  if (hint) hint.hidden = false;

  function row(file) {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = file.name;
    name.dir = "auto";
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", format(gettext("Uploading %(name)s"), { name: file.name }));
    const status = document.createElement("span");
    status.textContent = gettext("Waiting…");
    item.append(name, bar, status);
    list.append(item);
    return { item, bar, status };
  }

  function send(file, view) {
    return new Promise((resolve) => {
      const data = new FormData();
      for (const [key, value] of new FormData(form)) {
        if (key !== input.name) data.append(key, value);
      }
      data.append(input.name, file);
      const request = new XMLHttpRequest();
      request.open("POST", form.action);
      request.setRequestHeader("Accept", "application/json");
      request.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable) return;
        view.bar.value = Math.round((event.loaded / event.total) * 100);
        view.status.textContent = view.bar.value + "%";
      });
      request.addEventListener("load", () => {
        let answer = {};
        try {
          answer = JSON.parse(request.responseText);
        } catch (error) {
          answer = { error: format(gettext("The server answered %(status)s."), { status: request.status }) };
        }
        view.status.textContent = "";
        if (request.status === 201) {
          view.bar.value = 100;
          const link = document.createElement("a");
          link.href = answer.url;
          link.textContent = gettext("Stored — add its details");
          view.status.append(link);
          view.item.dataset.state = "stored";
        } else {
          const error = document.createElement("span");
          error.className = "error";
          error.textContent = format(gettext("Not stored: %(reason)s"), { reason: answer.error || format(gettext("the server answered %(status)s."), { status: request.status }) });
          view.status.append(error);
          view.item.dataset.state = "refused";
        }
        resolve();
      });
      request.addEventListener("error", () => {
        view.status.textContent = gettext("The connection failed; nothing was stored. Try again.");
        view.item.dataset.state = "refused";
        resolve();
      });
      request.send(data);
    });
  }

  async function uploadAll(files) {
    const views = files.map((file) => [file, row(file)]);
    // One at a time: the server and the quota see each file in turn.
    for (const [file, view] of views) {
      view.status.textContent = "0%";
      await send(file, view);
    }
    if (!done) {
      done = document.createElement("li");
      const link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = gettext("Show the library with the new images");
      done.append(link);
    }
    list.append(done); // one link, after the latest uploads
  }
  let done = null;

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const files = Array.from(input.files || []);
    if (!files.length) {
      input.focus();
      return;
    }
    uploadAll(files);
    input.value = "";
  });
  if (button) button.textContent = gettext("Upload");
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("media-drop--over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("media-drop--over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("media-drop--over");
    const files = Array.from((event.dataTransfer && event.dataTransfer.files) || []);
    if (files.length) uploadAll(files);
  });
  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    if (files.length) {
      uploadAll(files);
      input.value = "";
    }
  });
})();
