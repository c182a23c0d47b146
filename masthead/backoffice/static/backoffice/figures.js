// Library images inside the story body: two Tiptap nodes for django-prose-editor.
//
// ImageFigure is <figure data-image="ID"><img …><figcaption>caption
// <span class="credit">credit</span></figcaption></figure>; ImageGallery is
// <figure data-gallery=""> holding such figures and an optional caption of its
// own (the markup: masthead/media/figures.py, docs/media-in-stories.md). Both
// are atoms: the editor keeps each figure whole, so what loads is what saves.
// "Insert image" and "Insert gallery" in the toolbar open a picker dialog over
// /desk/media/picker/ (the images the writer may use); choosing a figure and
// pressing the same button again edits its caption and credit.
//
// django-prose-editor loads this module (settings.DJANGO_PROSE_EDITOR_EXTENSIONS)
// and enables the nodes named in the form's extensions (backoffice/forms.py).

import { Node, gettext } from "django-prose-editor/editor"

const imageAttrs = (img) => ({
  src: img?.getAttribute("src") || "",
  alt: img?.getAttribute("alt") || "",
  width: img?.getAttribute("width") || "",
  height: img?.getAttribute("height") || "",
})

// The caption and credit of a figure's own <figcaption> (not a nested figure's).
const captionOf = (figure) => {
  const figcaption = [...figure.children].find((child) => child.tagName === "FIGCAPTION")
  if (!figcaption) return { caption: "", credit: "" }
  const credit = figcaption.querySelector("span.credit")
  let caption = ""
  for (const child of figcaption.childNodes) {
    if (child !== credit) caption += child.textContent
  }
  return { caption: caption.trim(), credit: credit ? credit.textContent.trim() : "" }
}

const figureFromDOM = (figure) => ({
  image: Number(figure.getAttribute("data-image")) || null,
  ...imageAttrs([...figure.children].find((child) => child.tagName === "IMG")),
  ...captionOf(figure),
})

const figcaptionSpec = (caption, credit) => {
  if (!caption && !credit) return null
  const parts = []
  if (caption) parts.push(credit ? `${caption} ` : caption)
  if (credit) parts.push(["span", { class: "credit" }, credit])
  return ["figcaption", {}, ...parts]
}

const figureSpec = (figure) => {
  const img = { src: figure.src, alt: figure.alt || "" }
  if (figure.width) img.width = String(figure.width)
  if (figure.height) img.height = String(figure.height)
  const spec = ["figure", { "data-image": String(figure.image) }, ["img", img]]
  const figcaption = figcaptionSpec(figure.caption, figure.credit)
  return figcaption ? [...spec, figcaption] : spec
}

const plain = (names) =>
  Object.fromEntries(names.map((name) => [name, { default: "", rendered: false }]))

// --- The picker dialog ------------------------------------------------------

const element = (tag, props = {}, children = []) => {
  const node = Object.assign(document.createElement(tag), props)
  for (const child of children) node.append(child)
  return node
}

const field = (label, value) => {
  const input = element("input", { type: "text", value: value || "", maxLength: 500 })
  input.setAttribute("dir", "auto")
  return [element("label", {}, [label, input]), input]
}

// Resolves with the chosen figures ([{image, src, …, caption, credit}]) and,
// for a gallery, its caption; with null when cancelled.
function pickImages({ pickerUrl, multiple, editing }) {
  return new Promise((resolve) => {
    const dialog = element("dialog", { className: "image-picker" })
    dialog.setAttribute("aria-label", multiple ? gettext("Insert gallery") : gettext("Insert image"))
    const title = element("h2", {
      textContent: editing
        ? gettext("Edit figure")
        : multiple
          ? gettext("Insert gallery")
          : gettext("Insert image"),
    })
    const search = element("input", { type: "search", placeholder: gettext("Search captions and alt text") })
    search.setAttribute("aria-label", gettext("Search the library"))
    const status = element("p", { className: "image-picker__status", role: "status" })
    const grid = element("ul", { className: "image-picker__grid" })
    const chosenList = element("ol", { className: "image-picker__chosen" })
    const [galleryLabel, galleryCaption] = field(gettext("Gallery caption"), "")
    const insert = element("button", {
      type: "button",
      className: "button button--primary",
      textContent: editing ? gettext("Update") : gettext("Insert"),
      disabled: !editing,
    })
    const cancel = element("button", { type: "button", className: "button", textContent: gettext("Cancel") })
    const chosen = []

    const renderChosen = () => {
      chosenList.replaceChildren(
        ...chosen.map((figure) => {
          const [captionLabel, caption] = field(gettext("Caption"), figure.caption)
          const [creditLabel, credit] = field(gettext("Credit"), figure.credit)
          caption.addEventListener("input", () => (figure.caption = caption.value))
          credit.addEventListener("input", () => (figure.credit = credit.value))
          const thumb = element("img", { src: figure.src, alt: figure.alt, className: "image-picker__thumb" })
          const remove = element("button", { type: "button", className: "link-button", textContent: gettext("Remove") })
          remove.addEventListener("click", () => {
            chosen.splice(chosen.indexOf(figure), 1)
            renderChosen()
          })
          return element("li", { className: "image-picker__figure" }, [
            thumb,
            captionLabel,
            creditLabel,
            ...(editing ? [] : [remove]),
          ])
        }),
      )
      insert.disabled = multiple ? chosen.length < 2 : chosen.length !== 1
    }

    const choose = (image) => {
      const figure = { image: image.id, src: image.src, alt: image.alt, width: image.width, height: image.height, caption: image.caption, credit: image.credit }
      if (multiple) chosen.push(figure)
      else chosen.splice(0, chosen.length, figure)
      renderChosen()
    }

    let asked = 0
    const load = async () => {
      const ask = ++asked
      status.textContent = gettext("Loading…")
      const url = `${pickerUrl}?q=${encodeURIComponent(search.value)}`
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        if (!response.ok) throw new Error(response.status)
        const { images } = await response.json()
        if (ask !== asked) return
        status.textContent = images.length
          ? `${images.length} ${gettext("images")}`
          : gettext("No image you may use matches.")
        grid.replaceChildren(
          ...images.map((image) => {
            const button = element("button", { type: "button", className: "image-picker__choice" }, [
              element("img", { src: image.src, alt: "", width: image.width, height: image.height, loading: "lazy" }),
              element("span", { textContent: image.caption || image.alt || `#${image.id}` }),
            ])
            button.dataset.image = image.id
            button.setAttribute("aria-label", `${gettext("Choose")} ${image.alt || image.caption || image.id}`)
            button.addEventListener("click", () => choose(image))
            return element("li", {}, [button])
          }),
        )
      } catch (error) {
        if (ask === asked) status.textContent = gettext("The library could not be read. Try again.")
      }
    }

    let typing = null
    search.addEventListener("input", () => {
      clearTimeout(typing)
      typing = setTimeout(load, 250)
    })
    const close = (value) => {
      dialog.close()
      dialog.remove()
      resolve(value)
    }
    cancel.addEventListener("click", () => close(null))
    dialog.addEventListener("cancel", (event) => {
      event.preventDefault()
      close(null)
    })
    insert.addEventListener("click", () => close({ figures: chosen, caption: galleryCaption.value.trim() }))

    const picking = editing
      ? []
      : [element("div", { className: "image-picker__search" }, [search]), status, grid]
    dialog.append(
      title,
      ...picking,
      chosenList,
      ...(multiple ? [galleryLabel] : []),
      element("div", { className: "image-picker__actions" }, [insert, cancel]),
    )
    document.body.append(dialog)
    dialog.showModal()
    if (editing) {
      chosen.push(...editing.figures)
      galleryCaption.value = editing.caption || ""
      renderChosen()
    } else {
      load()
      search.focus()
    }
  })
}

const cleanFigure = (figure) => ({
  ...figure,
  caption: (figure.caption || "").trim(),
  credit: (figure.credit || "").trim(),
})

// Inserts a block atom where the cursor is; at the end of the body a paragraph
// follows it, so writing can go on after the figure.
const insertBlock = (editor, node) => {
  const { selection, doc } = editor.state
  const atEnd = selection.$to.pos >= doc.content.size - 1
  editor.chain().focus().insertContent(atEnd ? [node, { type: "paragraph" }] : node).run()
}

const selectedNode = (editor, name) => {
  const node = editor.state.selection.node
  return node && node.type.name === name ? node : null
}

// --- The nodes ------------------------------------------------------------------

export const ImageFigure = Node.create({
  name: "imageFigure",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions: () => ({ pickerUrl: "/desk/media/picker/" }),

  addAttributes: () => plain(["image", "src", "alt", "width", "height", "caption", "credit"]),

  parseHTML: () => [
    { tag: "figure[data-image]", priority: 60, getAttrs: (dom) => figureFromDOM(dom) },
  ],

  renderHTML: ({ node }) => figureSpec(node.attrs),

  addCommands() {
    return {
      pickImageFigure:
        () =>
        ({ editor }) => {
          const current = selectedNode(editor, this.name)
          pickImages({
            pickerUrl: this.options.pickerUrl,
            multiple: false,
            editing: current ? { figures: [{ ...current.attrs }] } : null,
          }).then((picked) => {
            if (!picked || !picked.figures.length) return
            const attrs = cleanFigure(picked.figures[0])
            if (current) editor.chain().focus().updateAttributes(this.name, attrs).run()
            else insertBlock(editor, { type: this.name, attrs })
          })
          return true
        },
    }
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "imageFigure",
      groups: "nodes",
      button: buttons.material("add_photo_alternate", gettext("Insert image")),
      command: (editor) => editor.commands.pickImageFigure(),
      active: (editor) => editor.isActive("imageFigure"),
    })
  },
})

export const ImageGallery = Node.create({
  name: "imageGallery",
  group: "block",
  atom: true,
  draggable: true,
  selectable: true,

  addOptions: () => ({ pickerUrl: "/desk/media/picker/" }),

  addAttributes: () => ({
    figures: { default: [], rendered: false },
    caption: { default: "", rendered: false },
  }),

  parseHTML: () => [
    {
      tag: "figure[data-gallery]",
      priority: 70,
      getAttrs: (dom) => ({
        figures: [...dom.children]
          .filter((child) => child.tagName === "FIGURE" && child.hasAttribute("data-image"))
          .map(figureFromDOM),
        caption: captionOf(dom).caption,
      }),
    },
  ],

  renderHTML: ({ node }) => {
    const spec = ["figure", { "data-gallery": "" }, ...node.attrs.figures.map(figureSpec)]
    return node.attrs.caption ? [...spec, ["figcaption", {}, node.attrs.caption]] : spec
  },

  addCommands() {
    return {
      pickImageGallery:
        () =>
        ({ editor }) => {
          const current = selectedNode(editor, this.name)
          pickImages({
            pickerUrl: this.options.pickerUrl,
            multiple: true,
            editing: current
              ? { figures: current.attrs.figures.map((figure) => ({ ...figure })), caption: current.attrs.caption }
              : null,
          }).then((picked) => {
            if (!picked || !picked.figures.length) return
            const attrs = { figures: picked.figures.map(cleanFigure), caption: picked.caption }
            if (current) editor.chain().focus().updateAttributes(this.name, attrs).run()
            else insertBlock(editor, { type: this.name, attrs })
          })
          return true
        },
    }
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "imageGallery",
      groups: "nodes",
      button: buttons.material("photo_library", gettext("Insert gallery")),
      command: (editor) => editor.commands.pickImageGallery(),
      active: (editor) => editor.isActive("imageGallery"),
    })
  },
})
