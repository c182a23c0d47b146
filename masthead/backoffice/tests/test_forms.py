from __future__ import annotations

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
