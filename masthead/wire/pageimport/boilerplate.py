"""Page chrome that is not the story, as one table of data.

A content extractor (trafilatura) finds the part of a page that holds the
article, but keeps what article templates put inside it: captions, "Read
more" promos, share lines, newsletter boxes, copyright lines, author boxes.
Scraped text has no markup at all. Both paths ask the same two questions of
every block of text, answered here:

* ``chrome_kind(text)``: is this block chrome to drop ("share", "promo",
  "newsletter", "copyright", "caption", "advert"), or None for story text;
* ``ends_article(text)``: does the story end here (a "Recent Posts" or
  "Related" heading, comments, tags)? Everything after it is chrome.

And for HTML, ``is_chrome_element(el)`` names the containers to cut before
the extractor runs, by their class, id and role.

Patterns are deliberately anchored on short blocks: a sentence of the story
that happens to say "share prices" or "read more into it" is long and keeps.
"""

from __future__ import annotations

import re


def word_set(words: str) -> frozenset[str]:
    """The words of a whitespace-separated list, as a set (tables read better as text)."""
    return frozenset(words.split())


# Words of a share bar; a short block made only of these is a share line.
SHARE_WORDS = word_set(
    """
    share shares shared sharing this article story post page on via tweet twitter x facebook
    whatsapp telegram linkedin reddit pinterest email e-mail mail print copy link copied
    messenger flipboard pocket tumblr vk viber bluesky threads mastodon save comment comments
    اشتراک گذاری اشتراک‌گذاری شارك مشاركة واتساب تلگرام تويتر فيسبوك واتساپ توییتر
    فیسبوک اینستاگرام ایتا بله روبیکا سروش لینکدین ایمیل چاپ انستغرام هذا الخبر المقال
    عبر این خبر را بگذارید
    """
)

# (kind, pattern) tried on one block; the first that matches names the chrome.
CHROME_PATTERNS: list[tuple[str, re.Pattern]] = [
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in [
        ("share", r"^(share|share this|share this (article|story|post))\s*[:!]?\s*$"),
        ("share", r"^(click to share|share (on|via) \w+)"),
        (
            "promo",
            r"^(read more|read also|also read|more (on|from) this|related( (story|article|"
            r"coverage|content|news))?|see also|recommended|editor'?s picks?|"
            r"you may (also )?like|you might (also )?like|don'?t miss|watch|listen|"
            r"continue reading|click here|more:|اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد|"
            r"بیشتر بخوانید|بخوانید|مطلب پیشنهادی)\s*[:>»\-–—|]",
        ),
        ("promo", r"^(read more|continue reading|read the full story|more stories)\W*$"),
        ("promo", r"^(follow us on|join (us|our) .{0,40}(channel|group))"),
        (
            "newsletter",
            r"^(?=.{0,300}$).*(newsletter|sign up|subscribe|inbox|mailing list)"
            r".*(newsletter|sign up|subscribe|inbox|email)",
        ),
        ("newsletter", r"^(subscribe( now)?|sign up( now)?|get our newsletter)\W*$"),
        ("copyright", r"^(©|\(c\)|copyright\b|all rights reserved|کلیه حقوق|جميع الحقوق)"),
        ("copyright", r"^(?=.{0,200}$).*\ball rights reserved\b"),
        ("copyright", r"^(?=.{0,200}$).*(حقوق .{0,30}محفوظ)"),
        ("caption", r"^(photo|image|picture|file photo|photograph|credit|illustration)s?\s*[:/|]"),
        ("caption", r"^\(?(photo|image) (by|courtesy|credit)\b"),
        (
            "caption",
            r"^(?=.{0,400}$).*\b(REUTERS|AFP|AP Photo|Getty Images|EPA|ANADOLU|IRNA|"
            r"WANA|Xinhua)\s*/\s*[\w .]+\s*$",
        ),
        ("caption", r"^(?=.{0,300}$).*\((photo|image|file photo|credit)\s*:?[^)]*\)\s*$"),
        (
            "caption",
            r"^(?=.{0,300}$).*[.!]\s*(photo|picture|image|credit|photograph|graphic)s?\s*:"
            r"\s*[^.]{2,60}$",
        ),
        # Agency photo credits end a caption: "… June 20, 2019. REUTERS/Stringer/File Photo"
        (
            "caption",
            r"^(?=.{0,400}$).*\b[A-Z]{3,}/[A-Z][\w.'-]+( [A-Z][\w.'-]+)*(/File Photo)?\s*$",
        ),
        ("caption", r"^(?=.{0,300}$).*\((تصوير|عکس|photo)\s*:[^)]*\)\s*$"),
        ("advert", r"^(advertisement|advert|sponsored( content)?|ad|تبلیغات|إعلان)\s*$"),
        ("meta", r"^(tags?|keywords|topics|filed under|categories|برچسب‌?ها|الوسوم)\s*:"),
        ("meta", r"^(print|email|comments?|\d+ comments?|no comments|leave a comment)\s*$"),
        ("meta", r"^(updated|last updated|published|posted)( on)?\s*:?\s*$"),
        ("meta", r"^(updated|last updated|published|posted)?\s*:?\s*\d+\s+\w+\s+ago$"),
        ("meta", r"^(skip to (main )?content|menu|search|home|log ?in|sign in|close)\s*$"),
        ("meta", r"^(\d+\s*(min|minute)s? read|reading time:? .{0,20})$"),
        ("meta", r"^(our standards|trust principles)\s*:"),
        ("meta", r"^(related topics|more on this story|explore more on these topics)\s*:?$"),
        ("meta", r"^(for immediate release|press release|news release|embargoed until .{0,40})$"),
        ("meta", r"^(?=.{0,60}$)[«‹<←]?\s*(back to|return to|go to)\b"),
        (
            "meta",
            r"^(key events|in this article|table of contents|contents|"
            r"listen to this article)\s*:?$",
        ),
    ]
]

# A heading after which nothing belongs to the story.
END_MARKERS = re.compile(
    r"^("
    r"recent posts|recent news|related posts|related articles|related stories|related news|"
    r"related coverage|related|more stories|more news|more from .{1,40}|latest news|latest|"
    r"latest stories|most read|most popular|most viewed|popular posts|trending( now)?|"
    r"top stories|you may also like|you might also like|read next|recommended( for you)?|"
    r"comments?|\d+ comments?|leave a (reply|comment)|post a comment|join the conversation|"
    r"discussion|responses|what do you think\??|about the author|more in .{1,40}|"
    r"###|-ends?-|ends|media contacts?|press contacts?|for more information|"
    r"اخبار مرتبط|مطالب مرتبط|آخرین اخبار|پربازدیدترین|پربازدیدترین ها|نظرات|دیدگاه‌ها|"
    r"أخبار ذات صلة|مقالات ذات صلة|الأكثر قراءة|آخر الأخبار|التعليقات|اقرأ أيضا"
    r")\s*:?$",
    re.IGNORECASE,
)
# What stands before an author's name on a byline line.
BYLINE_PREFIX = re.compile(
    r"^(?:by|von|par|por|written by|posted by|submitted by|words by|reporting by|author|"
    r"نویسنده|نوشته|بقلم|كتب|كتبه|إعداد)\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
_WORD = re.compile(r"[\w'’-]+|[@#]")


def chrome_kind(text: str) -> str | None:
    """The kind of chrome ``text`` is, or None when it reads as story text."""
    text = text.strip()
    if not text:
        return "empty"
    words = _WORD.findall(text.casefold())
    if words and len(words) <= 12 and all(word in SHARE_WORDS for word in words):
        return "share"
    for kind, pattern in CHROME_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def ends_article(text: str) -> bool:
    return bool(END_MARKERS.match(text.strip()))


# End markers that templates also drop into the middle of a story, over a box of
# links ("Related", "Read more"); the story may go on after the box.
_INLINE_MARKERS = re.compile(
    r"^(related( (posts|articles|stories|news|coverage|content))?|read more|read also|"
    r"also read|see also|recommended|more on this( story)?|read next|"
    r"اخبار مرتبط|مطالب مرتبط|بیشتر بخوانید|أخبار ذات صلة|اقرأ أيضا)\s*:?$",
    re.IGNORECASE,
)


def story_goes_on(marker: str, following: list[str]) -> int | None:
    """Where the story resumes after an inline promo box, or None if ``marker`` ends it.

    After a "Related"-style heading, the box's links are short lines; if
    paragraphs of the story (two or more long blocks) follow before another end
    marker, the story goes on at the first of them.
    """
    if not _INLINE_MARKERS.match(marker.strip()):
        return None
    resume, long_blocks = None, 0
    for index, text in enumerate(following):
        if ends_article(text):
            break
        if is_long(text):
            long_blocks += 1
            resume = index if resume is None else resume
    return resume if long_blocks >= 2 else None


def is_long(text: str) -> bool:
    """A block long enough to be a paragraph of a story, not a link or a teaser's title."""
    words = len(text.split())
    return words >= 25 or (words >= 15 and text.rstrip().endswith((".", "!", "?", "؟", "”", '"')))


# Class/id words of containers that never hold the story's text.
CHROME_CLASS_WORDS = word_set(
    """
    share shares sharing sharedaddy social sociallinks addtoany a2a sharethis
    related relatedposts related-posts jp-relatedposts recommended recommendations
    newsletter subscribe subscription signup optin mailchimp
    promo promotion advert advertisement ads ad adsbygoogle sponsor sponsored dfp
    comment comments commentlist respond disqus reply
    authorbox author-box author-bio about-author authorinfo
    byline meta entry-meta post-meta article-meta timestamp
    breadcrumb breadcrumbs tags tag-list taglist post-tags entry-tags keywords
    caption wp-caption-text figcaption credit credits
    sidebar widget widgets recent-posts most-read mostread popular trending
    more-stories also-read see-also
    cookie cookies consent modal popup overlay paywall
    nav navigation menu footer header masthead toolbar pagination
    print-only sr-only visually-hidden screen-reader-text
    """
)
CHROME_ROLES = frozenset({"navigation", "complementary", "banner", "contentinfo", "search"})
CHROME_TAGS = word_set(
    """
    script style noscript template svg iframe object embed form button input select
    textarea nav aside footer figure figcaption picture video audio canvas map
    amp-ad amp-sidebar amp-social-share amp-carousel amp-analytics amp-consent
    """
)
_CLASS_SPLIT = re.compile(r"[\s_]+")


def class_words(element) -> set[str]:
    """The words of an element's class and id (and the ``data-component``/``data-testid``
    that CSS-in-JS sites name parts by): "td-post-sharing top" → {td-post-sharing, td,
    post, sharing, top}, so both whole names and their parts can match."""
    words: set[str] = set()
    for value in (
        element.get("class"),
        element.get("id"),
        element.get("data-component"),
        element.get("data-testid"),
    ):
        for name in _CLASS_SPLIT.split((value or "").casefold()):
            if name and not _MODIFIER.search(name):
                words.add(name)
                words.update(part for part in name.split("-") if part)
    return words


# "has-sidebar", "o-section--has-ads", "with-comments": a state of the element,
# not what it is (the page body "has" a sidebar; it is not one).
_MODIFIER = re.compile(r"(^|-)(has|with|no|is|show|hide|enable|disable)-")


def is_chrome_element(element) -> bool:
    if element.tag in CHROME_TAGS:
        return True
    if (element.get("role") or "").casefold() in CHROME_ROLES:
        return True
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    return bool(class_words(element) & CHROME_CLASS_WORDS)
