from __future__ import annotations

import re

from django_prose_editor.config import allowlist_from_extensions

from masthead.backoffice.forms import BODY_EXTENSIONS, clean_body
from masthead.newsroom.sanitize import ALLOWED_TAGS, ALLOWED_URL_SCHEMES


def test_the_body_editor_makes_only_what_the_sanitiser_keeps():
    allowed = allowlist_from_extensions(BODY_EXTENSIONS)
    assert allowed["tags"] <= ALLOWED_TAGS
    assert set(allowed["url_schemes"]) <= ALLOWED_URL_SCHEMES
    assert "target" not in allowed["attributes"]["a"]


def test_an_empty_editor_is_an_empty_body():
    assert clean_body("<p></p>") == ""
    assert clean_body('<p onclick="x()">Text</p>') == "<p>Text</p>"


def test_every_field_a_writer_types_in_reads_in_its_own_direction(client_for):
    """A Persian headline reads right to left in an English back office, and the reverse."""
    html = client_for("writer").get("/desk/stories/new/").content.decode()
    typed = re.findall(r"<(?:textarea|input)\b(?![^>]*\btype=\"(?!text\")[^\"]*\")[^>]*>", html)
    names = {re.search(r'name="([^"]+)"', tag).group(1): tag for tag in typed if "name=" in tag}
    for name in ["headline", "dek", "new_tags", "dateline", "method_note", "figure_caption",
                 "figure_credit", "lead_image_alt", "lead_image_caption", "lead_image_credit",
                 "seo_title", "seo_description", "notes_to_editor"]:  # fmt: skip
        assert 'dir="auto"' in names[name], name
