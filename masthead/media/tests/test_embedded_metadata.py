"""Reading the words a photo carries: real files made with Pillow, well-formed and hostile."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from masthead.media.embedded_metadata import MAX_XMP_BYTES, read_embedded_metadata
from masthead.media.tests.embedded import exif_words, iim, jpeg, png_with_xmp, xmp_packet
from masthead.media.tests.images import png_bytes


def read(data: bytes) -> dict:
    return read_embedded_metadata(io.BytesIO(data))


def test_iptc_fields_are_read():
    iptc = iim(
        {
            (1, 90): b"\x1b%G",
            (2, 120): "Protesters gather in Tehran’s Enghelab Square".encode(),
            (2, 110): b"Reuters",
            (2, 80): b"Jane Photographer",
            (2, 116): "© 2026 Reuters".encode(),
            (2, 115): b"Reuters Pictures",
        }
    )
    assert read(jpeg(iptc=iptc)) == {
        "caption": "Protesters gather in Tehran’s Enghelab Square",
        "credit": "Reuters",
        "copyright": "© 2026 Reuters",
        "source": "Reuters Pictures",
    }


def test_iptc_byline_when_no_credit_line_and_latin1_text():
    iptc = iim({(2, 80): b"Jos\xe9 Garc\xeda", (2, 120): b"Caf\xe9 scene"})
    assert read(jpeg(iptc=iptc)) == {"credit": "José García", "caption": "Café scene"}


def test_xmp_wins_over_iptc_and_exif():
    data = jpeg(
        exif=exif_words("exif caption", "Exif Artist", "(c) exif"),
        iptc=iim({(2, 120): b"iptc caption", (2, 110): b"IPTC credit"}),
        xmp=xmp_packet(
            description="XMP caption — تهران",
            credit="AFP",
            rights="© 2026 AFP",
            source="AFP via Getty",
            usage="Editorial use only",
            alt="A crowd in a square",
        ),
    )
    assert read(data) == {
        "caption": "XMP caption — تهران",
        "credit": "AFP",
        "copyright": "© 2026 AFP",
        "source": "AFP via Getty",
        "usage_terms": "Editorial use only",
        "alt_text": "A crowd in a square",
    }


def test_exif_alone_and_xmp_creators():
    assert read(jpeg(exif=exif_words("Exif caption", "Exif Artist", "(c) 2026 X"))) == {
        "caption": "Exif caption",
        "credit": "Exif Artist",
        "copyright": "(c) 2026 X",
    }
    assert read(jpeg(xmp=xmp_packet(creators=["A. One", "B. Two"]))) == {"credit": "A. One, B. Two"}


def test_png_xmp_is_read():
    assert read(png_with_xmp(xmp_packet(description="Green field"))) == {"caption": "Green field"}


def test_nothing_to_read():
    assert read(png_bytes()) == {}
    assert read(b"GIF89a not really") == {}
    assert read(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>") == {}
    assert read(b"") == {}


def test_values_are_cleaned_and_cut_to_their_fields():
    caption = "A\u202ecaption\x07 with   controls " + "x" * 1000
    data = jpeg(iptc=iim({(2, 120): caption.encode(), (2, 110): b"   "}))
    found = read(data)
    assert "\u202e" not in found["caption"] and "\x07" not in found["caption"]
    assert found["caption"].startswith("Acaption with controls x")
    assert len(found["caption"]) <= 500
    assert "credit" not in found


@pytest.mark.parametrize(
    "xmp",
    [
        # Billion laughs: refused before parsing, nothing expanded.
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/">&b;</x:xmpmeta>',
        # External entity (XXE).
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/">&e;</x:xmpmeta>',
        b"<x:xmpmeta not closed",
        b"\xff\xfe\x00garbage",
        b"<a>" * 300 + b"</a>" * 300,  # nested past the parser's depth
    ],
)
def test_hostile_xmp_is_ignored_and_the_rest_is_read(xmp):
    data = jpeg(xmp=xmp, iptc=iim({(2, 110): b"Still read"}))
    assert read(data) == {"credit": "Still read"}


def test_oversized_xmp_is_not_parsed():
    padding = b" " * (MAX_XMP_BYTES + 10)
    # Inside a PNG text chunk (JPEG APP1 segments are at most 64 KB).
    huge = xmp_packet(description="too big").replace(b"<x:xmpmeta", padding + b"<x:xmpmeta", 1)
    assert read(png_with_xmp(huge)) == {}


def test_damaged_iptc_block_reads_what_is_there():
    # A dataset that claims more bytes than the block holds: Pillow keeps what it has.
    broken = bytes([0x1C, 2, 120]) + b"\x7f\xff" + b"short"
    assert read(jpeg(iptc=broken, exif=exif_words("exif caption"))) == {"caption": "short"}
    # A block that is not IIM at all: the EXIF caption stands.
    garbage = b"\x00\x01not iim at all"
    assert read(jpeg(iptc=garbage, exif=exif_words("exif caption"))) == {"caption": "exif caption"}


def test_position_is_kept():
    upload = io.BytesIO(jpeg(exif=exif_words("caption")))
    upload.seek(7)
    read_embedded_metadata(upload)
    assert upload.tell() == 7


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_iptc_bytes_never_raise(block):
    found = read(jpeg(iptc=block))
    assert set(found) <= {"caption", "credit", "copyright", "source"}


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_xmp_bytes_never_raise(packet):
    assert set(read(jpeg(xmp=packet or b" "))) <= {"caption", "credit", "copyright", "source"}
