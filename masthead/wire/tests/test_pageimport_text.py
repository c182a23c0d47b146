"""Scraped text (masthead/wire/pageimport/text.py): the story found in the page's words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.wire.pageimport import PageError
from masthead.wire.pageimport.html import read_html
from masthead.wire.pageimport.text import read_text

BODY = (
    "The first paragraph of the story says what happened, to whom, and where it happened.\n\n"
    "The second paragraph adds what officials said about it later in the afternoon.\n\n"
)


def test_a_date_above_the_headline_is_the_sites_not_the_storys():
    article = read_text("Daily News\n\nMonday, 4 March 2024\n\nA headline for the story\n\n" + BODY)

    assert article.headline == "A headline for the story"
    assert article.published == ""


def test_teaser_ages_and_crawl_headers_are_never_dates():
    article = read_text(
        "Retrieved: 2024-06-02T08:00:00Z\nCrawled at: June 2, 2024\n\n"
        "A headline for the story\n\n16 mins ago\n\n" + BODY + "Recent Posts\n\nOther story\n\n"
        "Its opening words…\n\n4 hours ago"
    )

    assert article.published == ""
    assert article.teasers[0].headline == "Other story" and article.teasers[0].age == "4 hours ago"


def test_the_date_line_under_the_headline_is_read():
    article = read_text("A headline for the story\n\nBy Jane Doe | June 21, 2019\n\n" + BODY)

    assert article.byline == "Jane Doe" and article.published == "2019-06-21"


def test_the_author_box_gives_the_byline_and_stays_out_of_the_body():
    article = read_text(
        "A headline for the story\n\n" + BODY + "Jane Doe\n\nJane Doe is a reporter who covers "
        "energy and the environment from the capital.\n\n"
    )

    assert article.byline == "Jane Doe"
    assert article.author_bio.startswith("Jane Doe is a reporter")
    assert "reporter who covers" not in article.body_text()


def test_a_short_line_above_the_headline_is_its_kicker_unless_it_is_the_site_name():
    assert read_text("Analysis\n\nA headline for the story\n\n" + BODY).kicker == "Analysis"
    site = "Daily News\n\nA headline for the story\n\n" + BODY + "© 2024 Daily News"
    assert read_text(site).kicker == ""


def test_persian_text_gets_its_language_and_keeps_zero_width_non_joiners():
    article = read_text(
        "افزایش قیمت‌ها در بازار\n\n"
        "قیمت‌ها در بازار تهران در هفته گذشته افزایش یافت و فروشندگان از کاهش خرید خبر می‌دهند.\n\n"
    )

    assert article.language == "fa"
    assert "\u200c" in article.body_text()


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=2000))
def test_any_text_gives_an_article_or_a_clear_error(text):
    try:
        article = read_text(text, origin="x")
    except PageError as error:
        assert str(error).startswith("x: ")
    else:
        assert article.headline


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>",
                "</p>",
                "<div>",
                "</div>",
                "<h1>",
                "</h1>",
                "<article>",
                "<base href=x>",
                "<meta property='og:title' content='T'>",
                "words of text here. ",
                "<script>",
                "</script>",
                "<time datetime='2020-01-01'>",
                "&amp;",
                "<table><td>",
                "\u200c",
            ]
        ),
        max_size=200,
    )
)
def test_any_markup_gives_an_article_or_a_clear_error(parts):
    try:
        article = read_html("".join(parts), origin="x")
    except PageError as error:
        assert str(error).startswith("x: ")
    else:
        assert article.headline
