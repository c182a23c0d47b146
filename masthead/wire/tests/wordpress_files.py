"""Test material for the WordPress importer: the fixture exports and an uploads folder.

The exports are under ``wxr/`` (written for these tests: a small outlet with
several desks, authors, tags, posts in every status, attachments and a
Persian post; and one of problems). The uploads folder is made per test, so
no binary file is committed.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

from PIL import Image as PillowImage

FIXTURES = Path(__file__).parent / "wxr"
OUTLET = FIXTURES / "outlet.xml"
PROBLEMS = FIXTURES / "problems.xml"


def jpeg_bytes(size=(120, 80), colour=(30, 90, 140)) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` × ``height`` pixels (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def outlet_uploads(root: Path) -> Path:
    """The uploads folder of outlet.xml: the harbour photo."""
    folder = root / "uploads"
    (folder / "2024" / "05").mkdir(parents=True)
    (folder / "2024" / "05" / "anzali-harbour.jpg").write_bytes(jpeg_bytes())
    return folder


def problem_uploads(root: Path) -> tuple[Path, Path]:
    """The uploads folder of problems.xml, and the secret file outside it a link points to."""
    folder = root / "uploads"
    (folder / "2014" / "08").mkdir(parents=True)
    (folder / "2014" / "08" / "huge.png").write_bytes(png_claiming(50_000, 50_000))
    secret = root / "secret.jpg"
    secret.write_bytes(jpeg_bytes(colour=(200, 0, 0)))
    (folder / "2014" / "08" / "linked.jpg").symlink_to(secret)
    return folder, secret


# A synthetic export of any size, for memory tests and benchmarks ------------------

_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wfw="http://wellformedweb.org/CommentAPI/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Synthetic Outlet</title><link>https://synthetic.example</link>
<language>en-US</language><wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url>https://synthetic.example</wp:base_site_url>
<wp:base_blog_url>https://synthetic.example</wp:base_blog_url>
"""
_AUTHOR = (
    "<wp:author><wp:author_login><![CDATA[writer{n}]]></wp:author_login>"
    "<wp:author_email><![CDATA[writer{n}@synthetic.example]]></wp:author_email>"
    "<wp:author_display_name><![CDATA[Writer Number {n}]]></wp:author_display_name>"
    "</wp:author>\n"
)
_CATEGORY = (
    "<wp:category><wp:term_id>{n}</wp:term_id><wp:category_nicename>section-{n}"
    "</wp:category_nicename><wp:category_parent></wp:category_parent>"
    "<wp:cat_name><![CDATA[Section {n}]]></wp:cat_name></wp:category>\n"
)
_PARAGRAPH = (
    "Officials in the province said on {day} that the new port terminal would handle "
    "grain, steel and containers, and that work on the rail link would start in spring. "
    "صادرات از بندر در این ماه به بالاترین رقم خود رسید و مدیر بندر گفت سیلوها آماده‌اند.\n\n"
)
_COMMENT = (
    "<wp:comment><wp:comment_id>{c}</wp:comment_id><wp:comment_author><![CDATA[Reader {c}]]>"
    "</wp:comment_author><wp:comment_author_email>r{c}@mail.example</wp:comment_author_email>"
    "<wp:comment_date_gmt>2024-05-12 09:30:00</wp:comment_date_gmt><wp:comment_content>"
    "<![CDATA[{text}]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
    "</wp:comment>\n"
)


def _post(number: int, paragraphs: int, comments: int, thumbnail: int | None) -> str:
    day = f"2023-{1 + number % 12:02d}-{1 + number % 28:02d}"
    body = "".join(_PARAGRAPH.format(day=day) for _ in range(paragraphs))
    meta = (
        f"<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
        f"<wp:meta_value>{thumbnail}</wp:meta_value></wp:postmeta>"
        if thumbnail
        else ""
    )
    junk = (
        "<wp:postmeta><wp:meta_key>_builder_data</wp:meta_key><wp:meta_value><![CDATA["
        + "x" * 2000
        + "]]></wp:meta_value></wp:postmeta>"
    )
    said = "I read this and want to say something about the port. " * 4
    return (
        f"<item><title><![CDATA[Port news number {number}]]></title>"
        f"<link>https://synthetic.example/{day.replace('-', '/')}/port-news-{number}/</link>"
        f"<dc:creator><![CDATA[writer{number % 20}]]></dc:creator>"
        f'<guid isPermaLink="false">https://synthetic.example/?p={number}</guid>'
        f"<content:encoded><![CDATA[{body}]]></content:encoded>"
        f"<excerpt:encoded><![CDATA[Summary of port news {number}.]]></excerpt:encoded>"
        f"<wp:post_id>{number}</wp:post_id><wp:post_date>{day} 12:00:00</wp:post_date>"
        f"<wp:post_date_gmt>{day} 08:30:00</wp:post_date_gmt>"
        f"<wp:post_name>port-news-{number}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>"
        f'<category domain="category" nicename="section-{number % 8}">'
        f"<![CDATA[Section {number % 8}]]></category>"
        f'<category domain="post_tag" nicename="topic-{number % 50}">'
        f"<![CDATA[Topic {number % 50}]]></category>"
        f"{meta}{junk}"
        + "".join(_COMMENT.format(c=number * 100 + c, text=said) for c in range(comments))
        + "</item>\n"
    )


def _attachment(number: int) -> str:
    return (
        f"<item><title>photo {number}</title><wp:post_id>{number}</wp:post_id>"
        f"<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
        f"<wp:attachment_url>https://synthetic.example/wp-content/uploads/2023/01/p{number}.jpg"
        f"</wp:attachment_url><wp:postmeta><wp:meta_key>_wp_attached_file</wp:meta_key>"
        f"<wp:meta_value>2023/01/p{number}.jpg</wp:meta_value></wp:postmeta></item>\n"
    )


def write_synthetic_export(
    path: Path, target_bytes: int, *, paragraphs: int = 12, comments: int = 8
) -> int:
    """Write an export of about ``target_bytes`` to ``path``; return the number of posts.

    Posts look like a news site's (a dozen paragraphs, English and Persian,
    comments, a page builder's meta), every fifth with a featured image.
    """
    posts = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(_HEAD)
        out.write("".join(_AUTHOR.format(n=n) for n in range(20)))
        out.write("".join(_CATEGORY.format(n=n) for n in range(8)))
        while out.tell() < target_bytes:
            posts += 1
            number = posts * 2
            thumbnail = number + 1 if posts % 5 == 0 else None
            if thumbnail:
                out.write(_attachment(thumbnail))
            out.write(_post(number, paragraphs, comments, thumbnail))
        out.write("</channel>\n</rss>\n")
    return posts
