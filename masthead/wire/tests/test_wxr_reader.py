"""wxr/reader.py: WordPress exports read as records, hostile ones refused, memory bounded."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from masthead.wire.items import ParseError
from masthead.wire.tests.wordpress_files import OUTLET, PROBLEMS, write_synthetic_export
from masthead.wire.wxr.reader import Category, Item, Site, User, open_export, read_export


def records(data: bytes) -> list:
    return list(read_export(io.BytesIO(data)))


def test_the_outlet_export_reads_as_site_users_categories_and_items():
    found = records(OUTLET.read_bytes())
    site = next(record for record in found if isinstance(record, Site))
    assert (site.title, site.wxr_version, site.language) == ("The Caspian Courier", "1.2", "en-US")
    assert site.base_site_url == "https://caspiancourier.example"
    users = {record.login: record for record in found if isinstance(record, User)}
    assert users["sahmadi"].display_name == "Sara Ahmadi"
    assert users["m.rezaei"].display_name == "مریم رضایی"
    categories = {record.slug: record for record in found if isinstance(record, Category)}
    assert categories["cinema"].parent == "culture"
    # As WordPress wrote it (it keeps term names HTML-escaped); the importer reads the entity.
    assert categories["economy"].name == "Economy &amp; Trade"
    items = [record for record in found if isinstance(record, Item)]
    assert [item.position for item in items] == list(range(1, len(items) + 1))
    # Everything the channel says comes before the first item, the site record included.
    assert found.index(site) < found.index(items[0])
    post = next(item for item in items if item.post_id == "101")
    assert post.post_type == "post" and post.status == "publish"
    assert post.creator == "sahmadi"
    assert post.post_date_gmt == "2024-05-12 08:00:00"
    assert post.content.startswith("Grain shipments through the ports")
    assert "\n\nThe ports of Anzali" in post.content  # blank lines kept for autop
    assert post.meta == {"_thumbnail_id": "201", "_yoast_wpseo_primary_category": "4"}
    assert [(term.domain, term.slug) for term in post.terms] == [
        ("category", "politics"),
        ("category", "economy"),
        ("post_tag", "caspian-sea"),
        ("post_tag", "ports"),
    ]
    assert post.comments == 1
    attachment = next(item for item in items if item.post_id == "201")
    assert attachment.meta["_wp_attached_file"] == "2024/05/anzali-harbour.jpg"
    assert attachment.meta["_wp_attachment_image_alt"] == "Container cranes at Bandar Anzali port"


def test_a_wxr_1_1_export_reads_the_same_way():
    found = records(PROBLEMS.read_bytes())
    site = found[[isinstance(record, Site) for record in found].index(True)]
    assert site.wxr_version == "1.1"
    items = [record for record in found if isinstance(record, Item)]
    assert {item.post_type for item in items} == {"attachment", "post"}
    assert next(item for item in items if item.post_id == "11").meta["_thumbnail_id"] == "50"


def test_a_gzip_compressed_export_is_read_through_gzip(tmp_path):
    packed = tmp_path / "export.xml.gz"
    packed.write_bytes(gzip.compress(OUTLET.read_bytes()))
    with open_export(packed) as handle:
        items = [record for record in read_export(handle) if isinstance(record, Item)]
    assert len(items) == 12


HOSTILE = {
    "not xml": (b"PK\x03\x04 this is a zip file, not XML", "not well-formed"),
    "empty": (b"", "empty document"),
    "html page": (b"<html><body><p>Not an export</p></body></html>", "not RSS"),
    "plain rss feed": (
        b'<rss version="2.0"><channel><title>x</title><item><title>a</title></item>'
        b"</channel></rss>",
        "no wp:wxr_version",
    ),
    "a future version": (
        b'<rss xmlns:wp="http://wordpress.org/export/9.0/"><channel>'
        b"<wp:wxr_version>9.0</wp:wxr_version><item/></channel></rss>",
        "version 9.0 is not supported",
    ),
    "billion laughs": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<rss><channel><title>&c;</title></channel></rss>",
        "not allowed",
    ),
    "external entity": (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<rss><channel><title>&x;</title></channel></rss>",
        "not allowed",
    ),
    "external dtd": (
        b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">'
        b"<rss><channel/></rss>",
        "external DTDs",
    ),
    "undefined entity": (
        b"<rss><channel><title>A&nbsp;B</title></channel></rss>",
        "entity",
    ),
    "nesting": (b"<rss>" + b"<a>" * 10_000 + b"</a>" * 10_000 + b"</rss>", "deeper than"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_documents_are_refused_clearly_and_fast(name):
    data, message = HOSTILE[name]
    started = time.process_time()
    with pytest.raises(ParseError, match=message):
        records(data)
    assert time.process_time() - started < 2


@pytest.mark.parametrize("cut", [0.3, 0.6, 0.95, 0.999])
def test_a_truncated_export_is_refused_at_its_end(cut):
    data = OUTLET.read_bytes()
    with pytest.raises(ParseError, match="not well-formed"):
        records(data[: int(len(data) * cut)])


# Memory ------------------------------------------------------------------------

_READ_IN_A_SUBPROCESS = """
import json, resource, sys
from pathlib import Path
from masthead.wire.wxr.reader import Item, open_export, read_export
posts = 0
with open_export(Path(sys.argv[1])) as handle:
    for record in read_export(handle):
        posts += isinstance(record, Item) and record.post_type == "post"
print(json.dumps({"posts": posts, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _peak_reading(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _READ_IN_A_SUBPROCESS, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(done.stdout)


def test_memory_stays_bounded_however_large_the_export(tmp_path):
    """A 60 MB export costs the reader what a 1 MB one does (bench/wordpress_import.py: 1 GB)."""
    small, large = tmp_path / "small.xml", tmp_path / "large.xml"
    small_posts = write_synthetic_export(small, 1_000_000)
    large_posts = write_synthetic_export(large, 60_000_000)
    small_run, large_run = _peak_reading(small), _peak_reading(large)
    assert (small_run["posts"], large_run["posts"]) == (small_posts, large_posts)
    grown_mb = (large_run["peak_kb"] - small_run["peak_kb"]) / 1024
    # The attachment names the first pass keeps are the only part that grows (a few MB).
    assert grown_mb < 20, f"peak RSS grew by {grown_mb:.0f} MB for a 60× larger export"
