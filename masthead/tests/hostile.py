"""Hostile input, generated: Hypothesis strategies and the XML corpus of RELIABILITY.md.

Nothing here is downloaded: every payload is built by code, so a reader sees
what each one is. Used by the ``test_fuzz_*`` modules (issue 14: no exception
escapes a parser, output stays within the allow-list, round trips are stable).

* ``html_documents``: HTML-ish markup with tags from the sanitiser's allow-list
  and outside it, the mXSS carriers (svg/math with style/noscript/title/
  textarea), ``javascript:``/``data:`` URLs in entity, tab and newline forms,
  ``on*`` attributes, ``srcdoc``, ``formaction``, ``<base>``, meta refresh (B1).
* ``hostile_text``: text with every C0/C1 control, bidi overrides, ZWNJ,
  non-characters and markup (B3).
* ``hostile_urls``: URL values a feed may carry (C3).
* ``xml_bombs(root)``: the C2 corpus for a document whose root is ``root``.

The settings profiles are registered in the repository's ``conftest.py``:
``HYPOTHESIS_PROFILE=fuzz`` raises every fuzz test to its long run.
"""

from __future__ import annotations

import os
import re

import html5lib
from html5lib.serializer import HTMLSerializer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from masthead.newsroom.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    MAX_NESTING_DEPTH,
    is_own_media,
)

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"


def examples(normal: int) -> settings:
    """Settings for a fuzz test: ``normal`` examples in the suite, the fuzz profile's in the job."""
    return settings(
        max_examples=settings.default.max_examples if FUZZ else normal,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# --- Text -------------------------------------------------------------------

C0 = [chr(code) for code in range(0x00, 0x20)]
C1 = [chr(code) for code in range(0x7F, 0xA0)]
BIDI_OVERRIDES = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e"]
ZWNJ, ZWJ = "\u200c", "\u200d"
KEPT_MARKS = ["\u200e", "\u200f", "\u061c", "\u2066", "\u2067", "\u2068", "\u2069", ZWNJ, ZWJ]
NONCHARACTERS = ["\ufffe", "\uffff", "\ufdd0"]
LONE_SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]  # "\ud800" in JSON makes one
PERSIAN = "ایران می\u200cگوید"
# What plain text and bodies never keep (tab, newline, CR and FF are line layout).
REMOVED = frozenset(C0 + C1 + BIDI_OVERRIDES + LONE_SURROGATES) - {"\t", "\n", "\r", "\x0c"}

hostile_characters = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(C0 + C1 + BIDI_OVERRIDES + KEPT_MARKS + NONCHARACTERS + LONE_SURROGATES),
    st.sampled_from(list("<>&\"'=/;:#")),
)
hostile_text = st.one_of(
    st.text(hostile_characters, max_size=80),
    st.lists(
        st.sampled_from(
            [
                "</script><script>alert(1)</script>",
                '"><svg onload=alert(1)>',
                "{{7*7}}",
                "${7*7}",
                "'--",
                "&lt;b&gt;",
                "&#x202E;",
                "&#0;",
                "&#xD800;",
                "&#56320;",
                "<b>bold</b>",
                PERSIAN,
                " ",
                "\n",
                "\r\n",
                "\u2028",
            ]
        )
        | st.text(hostile_characters, max_size=8),
        max_size=10,
    ).map("".join),
)


# --- URLs ---------------------------------------------------------------------

JAVASCRIPT_FORMS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "\x01javascript:alert(1)",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106avascript:alert(1)",
    "javascript&#58;alert(1)",
    "javascript&#x3a;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,<svg onload=alert(1)>",
    "file:///etc/passwd",
    "ftp://example.com/",
    "gopher://127.0.0.1:6379/_",
    "//evil.example/x",
    "/\\evil.example/x",
    "http:evil.example",
]
SAFE_URLS = [
    "https://example.com/a",
    "http://example.com/a?b=c&d=e#f",
    "mailto:desk@example.com",
    "tel:+982100000000",
    "/media/images/a.png",
    "relative/path",
    "#anchor",
]
hostile_urls = st.one_of(
    st.sampled_from(JAVASCRIPT_FORMS + SAFE_URLS),
    st.builds(
        "{}{}".format,
        st.sampled_from(["javascript:", "data:", "https://", "http://", "", "mailto:"]),
        st.text(hostile_characters, max_size=20),
    ),
)


# --- HTML ---------------------------------------------------------------------

ALLOWED_LIKE = "p br hr h2 h3 h4 blockquote q cite ul ol li strong em b i a figure img table tr td"
OUTSIDE = (
    "script style noscript title textarea xmp iframe noembed noframes plaintext template "
    "svg math mi mo mtext annotation-xml foreignObject desc select option object embed form "
    "button input base meta link frameset frame body html head div section h1 image video"
)
TAGS = ALLOWED_LIKE.split() + OUTSIDE.split()
EVENT_ATTRIBUTES = ["onload", "onerror", "onclick", "onmouseover", "ONFOCUS", "onbegin"]
URL_ATTRIBUTES = ["href", "src", "cite", "action", "formaction", "xlink:href", "data", "poster"]
OTHER_ATTRIBUTES = [
    "srcdoc",
    "style",
    "http-equiv",
    "content",
    "title",
    "dir",
    "lang",
    "class",
    "id",
    "data-image",
    "data-gallery",
    "alt",
    "width",
    "is",
    "xmlns",
    "encoding",
]
attribute_values = st.one_of(
    hostile_urls,
    st.sampled_from(
        [
            "alert(1)",
            "refresh",
            "0;url=javascript:alert(1)",
            "<script>alert(1)</script>",
            "x:expression(alert(1))",
            "background:url(javascript:alert(1))",
            "text/html",
            "http://www.w3.org/1999/xhtml",
            "rtl",
            "credit",
            "12",
        ]
    ),
    st.text(hostile_characters, max_size=12),
)
QUOTES = ['"', "'", ""]


@st.composite
def attributes(draw) -> str:
    name = draw(st.sampled_from(EVENT_ATTRIBUTES + URL_ATTRIBUTES + OTHER_ATTRIBUTES))
    value = draw(attribute_values)
    quote = draw(st.sampled_from(QUOTES))
    if quote:
        value = value.replace(quote, "&quot;" if quote == '"' else "&#39;")
    else:
        value = re.sub(r"[\s>]", "", value) or "x"
    separator = draw(st.sampled_from([" ", "\t", "\n", "/", " / "]))
    return f"{separator}{name}={quote}{value}{quote}"


@st.composite
def elements(draw, depth: int = 0) -> str:
    tag = draw(st.sampled_from(TAGS))
    written = draw(st.sampled_from([tag, tag.upper(), tag.capitalize()]))
    attrs = "".join(draw(st.lists(attributes(), max_size=3)))
    closing = "" if draw(st.booleans()) and depth else f"</{written}>"
    if depth >= 3:
        inner = draw(fragments_leaf)
    else:
        inner = "".join(draw(st.lists(st.one_of(fragments_leaf, elements(depth + 1)), max_size=3)))
    return f"<{written}{attrs}>{inner}{closing}"


SPECIAL_PIECES = [
    "<!--",
    "-->",
    "<!-->",
    "--!>",
    "<![CDATA[",
    "]]>",
    "<?xml-stylesheet href=x?>",
    "<!DOCTYPE html>",
    "</",
    "<",
    ">",
    "&",
    "&amp;",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<base href=javascript:alert(1)//>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><annotation-xml encoding="text/html"><style><img src=x onerror=alert(1)>',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<title><img src=x onerror=alert(1)></title>",
    "<textarea></textarea><img src=x onerror=alert(1)></textarea>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="java&#x0A;script:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<img src="data:image/png;base64,AA">',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<figure data-image="12"><img src="/media/a.png"></figure>',
]
fragments_leaf = st.one_of(
    st.sampled_from(SPECIAL_PIECES),
    st.text(hostile_characters, max_size=10),
    st.sampled_from(["text", PERSIAN, " ", "\n"]),
)
html_documents = st.one_of(
    st.lists(st.one_of(elements(), fragments_leaf), max_size=8).map("".join),
    st.lists(st.sampled_from(SPECIAL_PIECES + TAGS), max_size=30).map(
        lambda parts: "".join(p if p.startswith("<") or " " in p else f"<{p}>" for p in parts)
    ),
    st.text(alphabet="<>/=\"' abcdpilsvgmathrx-!&#;:", max_size=200),
)


# --- XML: the C2 corpus -----------------------------------------------------------


def billion_laughs(root: str = "rss") -> bytes:
    levels = ['<!ENTITY lol0 "lol">']
    for level in range(1, 10):
        levels.append(f'<!ENTITY lol{level} "{f"&lol{level - 1};" * 10}">')
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [{"".join(levels)}]>'
        f"<{root}><title>&lol9;</title></{root}>"
    ).encode()


def quadratic_blowup(root: str = "rss") -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY a "{"x" * 100_000}">]>'
        f"<{root}>{'&a;' * 20_000}</{root}>"
    ).encode()


def xml_bombs(root: str, listener_url: str, namespace: str = "") -> dict[str, bytes]:
    """The C2 corpus for a document whose root element is ``root``.

    ``listener_url`` is a loopback listener that must never be connected to.
    ``namespace`` is written on the root (``xmlns="…"``) where the format needs one.
    """
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    open_root, close_root = f"<{root}{xmlns}>", f"</{root}>"
    deep = 100_000
    return {
        "billion laughs": billion_laughs(root),
        "quadratic blowup": quadratic_blowup(root),
        "SYSTEM file": (
            f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f"{open_root}&x;{close_root}"
        ).encode(),
        "external DTD on loopback": (
            f'<?xml version="1.0"?><!DOCTYPE {root} SYSTEM "{listener_url}/evil.dtd">'
            f"{open_root}{close_root}"
        ).encode(),
        "external entity on loopback": (
            f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY x SYSTEM "{listener_url}/x">]>'
            f"{open_root}&x;{close_root}"
        ).encode(),
        "parameter entities": (
            f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY % p SYSTEM "{listener_url}/p">'
            f" %p;]>{open_root}{close_root}"
        ).encode(),
        "XInclude": (
            f'<?xml version="1.0"?><{root}{xmlns} xmlns:xi="http://www.w3.org/2001/XInclude">'
            f'<xi:include href="{listener_url}/x" parse="text"/>'
            f'<xi:include href="file:///etc/passwd" parse="text"/>{close_root}'
        ).encode(),
        "100k-deep nesting": (
            f'<?xml version="1.0"?>{open_root}{"<a>" * deep}x{"</a>" * deep}{close_root}'
        ).encode(),
        "charset lie (cp1256 declared UTF-8)": (
            f'<?xml version="1.0" encoding="UTF-8"?>{open_root}<title>'.encode()
            + "وكالة الأنباء".encode("cp1256")
            + f"</title>{close_root}".encode()
        ),
        "BOM mismatch (UTF-16 BOM, UTF-8 bytes)": (
            b"\xff\xfe" + f'<?xml version="1.0"?>{open_root}{close_root}'.encode()
        ),
        "NUL bytes": f'<?xml version="1.0"?>{open_root}<title>a\x00b</title>{close_root}'.encode(),
        "nested CDATA": (
            f'<?xml version="1.0"?>{open_root}<![CDATA[a<![CDATA[b]]>c]]>{close_root}'
        ).encode(),
        "truncated": f'<?xml version="1.0"?>{open_root}<title>cut'.encode(),
    }


# --- What a browser sees in sanitised HTML ------------------------------------------

HTML_NAMESPACE = "{http://www.w3.org/1999/xhtml}"
URL_ATTRIBUTES_KEPT = {"href", "src", "cite"}


def browser_scheme(url: str) -> str | None:
    """The scheme a browser reads: no tabs or newlines anywhere, no controls at the ends."""
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    found = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return found.group(1).lower() if found else None


def assert_within_allow_list(html: str) -> None:
    """What html5lib (a browser's parse) finds in ``html``: allowed tags, attributes, URLs only."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=True)
    depth = {child: 1 for child in fragment}
    for element in fragment.iter():
        if element not in depth:
            continue  # the fragment itself
        tag = element.tag
        assert isinstance(tag, str), f"a comment or PI survived: {html!r}"
        assert tag.startswith(HTML_NAMESPACE), f"foreign content {tag} in {html!r}"
        name = tag.removeprefix(HTML_NAMESPACE)
        assert name in ALLOWED_TAGS, f"<{name}> in {html!r}"
        for attribute, value in element.attrib.items():
            assert attribute.startswith("{") is False, f"namespaced {attribute} in {html!r}"
            assert not attribute.lower().startswith("on"), f"{attribute} in {html!r}"
            allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(name, set())
            assert attribute in allowed or (name, attribute) == ("a", "rel"), (name, attribute)
            if attribute in URL_ATTRIBUTES_KEPT:
                scheme = browser_scheme(value)
                assert scheme in ALLOWED_URL_SCHEMES | {None}, (name, attribute, value)
            if (name, attribute) == ("img", "src"):
                assert is_own_media(value), value
        for child in element:
            depth[child] = depth[element] + 1
        assert depth[element] <= MAX_NESTING_DEPTH + 2  # html5lib adds tbody and the like


def reserialised(html: str) -> str:
    """``html`` parsed and written back out by html5lib, the way a DOM round trip would."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    walker = html5lib.getTreeWalker("etree")
    return HTMLSerializer(quote_attr_values="always", omit_optional_tags=False).render(
        walker(fragment)
    )
