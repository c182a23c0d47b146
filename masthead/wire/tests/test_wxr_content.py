"""wxr/content.py: WordPress text as Masthead HTML (autop, shortcodes), then the sanitiser."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.newsroom.sanitize import sanitize_body
from masthead.wire.wxr.content import autop, body_html, plain_paragraphs, plain_text


def stored(content: str) -> str:
    """What a story keeps: the conversion, then the one sanitiser (as Story.save does)."""
    return sanitize_body(body_html(content).body)


def test_blank_lines_make_paragraphs_and_single_breaks_make_line_breaks():
    assert stored("One.\n\nTwo, line a\nline b.\n\n\n\nThree.") == (
        "<p>One.</p>\n<p>Two, line a<br>\nline b.</p>\n<p>Three.</p>"
    )


def test_windows_line_ends_count_as_line_ends():
    assert stored("One.\r\n\r\nTwo.") == "<p>One.</p>\n<p>Two.</p>"


def test_block_elements_are_not_wrapped_in_paragraphs():
    html = stored("Intro.\n<h2>Section</h2>\nText.\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>")
    assert "<h2>Section</h2>" in html
    assert "<p><h2>" not in html and "<p><ul>" not in html
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html


def test_preformatted_text_keeps_its_lines():
    html = stored("Code:\n\n<pre>line 1\n\nline 3</pre>")
    assert "<pre>line 1\n\nline 3</pre>" in html


def test_a_blockquote_holds_its_paragraphs():
    assert stored("<blockquote>One.\n\nTwo.</blockquote>") == (
        "<blockquote><p>One.</p>\n<p>Two.</p></blockquote>"
    )


def test_block_editor_posts_keep_their_own_paragraphs():
    content = (
        "<!-- wp:paragraph -->\n<p>First.</p>\n<!-- /wp:paragraph -->\n\n"
        "<!-- wp:paragraph -->\n<p>Second\nstill second.</p>\n<!-- /wp:paragraph -->"
    )
    html = stored(content)
    assert "<!--" not in html
    assert "<p>First.</p>" in html and "<p>Second\nstill second.</p>" in html
    assert "<br>" not in html  # no autop on block content


def test_a_caption_around_an_image_of_the_old_site_goes_with_the_image():
    content = (
        "Before.\n\n"
        '[caption id="attachment_5" align="aligncenter" width="300"]'
        '<img src="https://old.example/wp-content/uploads/a.jpg" alt="A"> Harbour at dawn.'
        "[/caption]\n\nAfter."
    )
    converted = body_html(content)
    assert converted.images_dropped == 1
    assert sanitize_body(converted.body) == "<p>Before.</p>\n<p>After.</p>"


def test_a_caption_around_the_outlets_own_image_becomes_a_figure(settings):
    settings.MEDIA_URL = "/media/"
    content = '[caption id="x" width="300"]<img src="/media/images/a.jpg" alt="A"> Dawn.[/caption]'
    html = stored(content)
    assert html.startswith('<figure><img src="/media/images/a.jpg" alt="A">')
    assert "<figcaption>Dawn.</figcaption></figure>" in html


def test_embeds_and_bare_urls_become_links():
    html = stored(
        "Watch:\n\n[embed]https://www.youtube.com/watch?v=abc[/embed]\n\n"
        'https://vimeo.com/123\n\n[audio src="https://cdn.example/a.mp3"]'
    )
    for url in ("https://www.youtube.com/watch?v=abc", "https://vimeo.com/123"):
        assert f'<a href="{url}" rel="noopener noreferrer">{url}</a>' in html
    assert 'href="https://cdn.example/a.mp3"' in html


def test_an_embed_of_a_javascript_url_is_dropped():
    assert "javascript" not in stored("[embed]javascript:alert(1)[/embed]")


def test_galleries_are_removed_and_reported():
    converted = body_html('Text.\n\n[gallery ids="1,2,3"]\n\nMore.')
    assert converted.shortcodes_removed == ["gallery"]
    assert sanitize_body(converted.body) == "<p>Text.</p>\n<p>More.</p>"


def test_page_builder_wrappers_go_and_their_text_stays():
    converted = body_html(
        '[vc_row][vc_column width="1/2"][vc_column_text]Inside the builder.'
        "[/vc_column_text][/vc_column][/vc_row]"
    )
    assert sanitize_body(converted.body) == "<p>Inside the builder.</p>"
    assert set(converted.shortcodes_removed) == {"vc_row", "vc_column", "vc_column_text"}


def test_brackets_that_are_no_shortcode_stay_as_text():
    assert stored("He said [sic] it was 2 [1] and [Editor's note: corrected].") == (
        "<p>He said [sic] it was 2 [1] and [Editor's note: corrected].</p>"
    )


def test_an_escaped_shortcode_is_literal_text():
    assert stored("Type [[caption]] to add one.") == "<p>Type [caption] to add one.</p>"


def test_unclosed_and_stray_shortcodes_do_not_eat_the_text():
    html = stored("[vc_row]Kept text.\n\nMore kept.[/vc_column]")
    assert "Kept text." in html and "More kept." in html
    assert "vc_" not in html


def test_scripts_and_event_handlers_never_survive():
    html = stored(
        '<p onclick="steal()">Rivers rise.</p><script>alert(1)</script>\n'
        '<a href="javascript:alert(2)">map</a><img src=x onerror=alert(3)>'
        '<iframe src="https://evil.example/"></iframe><style>body{}</style>'
    )
    assert "Rivers rise." in html
    for bad in ("script", "onclick", "javascript", "onerror", "iframe", "style", "alert"):
        assert bad not in html


def test_shortcodes_cost_linear_time():
    started = time.process_time()
    body_html("[embed x]" * 100_000)
    body_html("[vc_row]" * 50_000 + "text" + "[/vc_row]")
    body_html("[caption]" * 50_000)
    assert time.process_time() - started < 5


def test_plain_text_drops_markup_and_code_and_reads_entities():
    assert plain_text('<script>alert("x")</script>Flood in <em>Rasht</em> &amp; Lahijan') == (
        "Flood in Rasht & Lahijan"
    )
    assert plain_text("<style>p{}</style>  two\n lines ") == "two lines"
    assert plain_paragraphs("<p>One.</p><p>Two &amp; <b>three</b>.</p>") == "One.\n\nTwo & three."


def test_autop_of_nothing_is_nothing():
    assert autop("") == "" and autop(" \n\n ") == ""


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"ab س\n[]/<>=\"'",
                *("[caption]", "[/caption]", "[vc_row]", "[/vc_row]", "[[", "]]", "[embed]"),
                *("<p>", "</p>", "<pre>", "</pre>", "<img src=x>", "<script>", "\n\n"),
            ]
        ),
        max_size=60,
    ).map("".join)
)
def test_any_text_converts_to_html_the_sanitiser_keeps_as_is(content):
    html = stored(content)
    assert sanitize_body(html) == html  # clean, and stable
    assert "<script" not in html


@pytest.mark.parametrize(
    "content",
    ["<p>Already HTML.</p>", "Plain text.", "Persian: سلام دنیا\n\nدوم"],
)
def test_converting_is_stable_on_clean_text(content):
    once = stored(content)
    assert stored(once) == once
