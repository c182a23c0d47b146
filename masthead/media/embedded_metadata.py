"""The words a photo carries inside its file: caption, credit, copyright, source, alt text.

Agencies and photographers write them into the file (IPTC-IIM, XMP, EXIF);
the library reads them on upload (``media.services.upload_image``) so the
fields come filled in. It reads the *original* upload: ``image_safety.prepare_image``
writes every stored copy again without metadata, so this must run first.

Pillow parses the containers: ``Image.open`` reads the headers only (no
pixels are decoded here), ``getexif()`` the EXIF tags and
``IptcImagePlugin.getiptcinfo`` the IPTC datasets. Pillow's own ``getxmp()``
needs defusedxml, which Masthead does not install; the XMP packet is parsed
by ``wire.xmlsafety.fromstring`` instead, the lxml parser every outside XML
document goes through (no DTDs, no entities, no network, size-capped).

Reading is best effort and never fails an upload: a file whose metadata is
damaged, too large or hostile yields the fields that could be read (often
none), and the picture itself is judged by ``prepare_image`` as usual. Every
value is cleaned as one line of plain text (``newsroom.text.clean_line``) and
cut to its field's length.

Where several standards carry one field, XMP wins over IPTC over EXIF: XMP
is Unicode and what current tools write last. The credit is the IPTC
"Credit Line" (``photoshop:Credit``), else the creator (By-line, ``dc:creator``,
EXIF Artist).
"""

from __future__ import annotations

import logging
import struct
import warnings

from django.conf import settings
from lxml import etree
from PIL import ExifTags, IptcImagePlugin, UnidentifiedImageError
from PIL import Image as PillowImage

from masthead.newsroom.text import clean_line
from masthead.wire.items import ParseError
from masthead.wire.xmlsafety import fromstring

logger = logging.getLogger(__name__)

# The Image fields this module fills, with their lengths (media.models.Image).
FIELD_LENGTHS = {
    "caption": 500,
    "credit": 200,
    "copyright": 200,
    "source": 200,
    "usage_terms": 500,
    "alt_text": 300,
}
MAX_XMP_BYTES = 256 * 1024
MAX_EXIF_BYTES = 256 * 1024
MAX_IPTC_VALUE_BYTES = 4096
# Everything Pillow and our parsers raise on a damaged or hostile container.
_UNREADABLE = (
    OSError,
    SyntaxError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    EOFError,
    struct.error,
    UnicodeError,
    ParseError,
    PillowImage.DecompressionBombError,
    PillowImage.DecompressionBombWarning,
)

_NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
}
# field → XMP properties, first found wins.
_XMP_PROPERTIES = {
    "caption": ["dc:description"],
    "credit": ["photoshop:Credit", "dc:creator"],
    "copyright": ["dc:rights"],
    "source": ["photoshop:Source"],
    "usage_terms": ["xmpRights:UsageTerms"],
    "alt_text": ["Iptc4xmpCore:AltTextAccessibility"],
}
# field → IPTC-IIM datasets (record 2), first found wins.
_IPTC_DATASETS = {
    "caption": [(2, 120)],  # Caption/Abstract
    "credit": [(2, 110), (2, 80)],  # Credit, By-line
    "copyright": [(2, 116)],  # Copyright Notice
    "source": [(2, 115)],  # Source
}
_IPTC_UTF8 = b"\x1b%G"  # 1:90 Coded Character Set
# field → EXIF tags of IFD0.
_EXIF_TAGS = {
    "caption": [ExifTags.Base.ImageDescription],
    "credit": [ExifTags.Base.Artist],
    "copyright": [ExifTags.Base.Copyright],
}


def read_embedded_metadata(upload) -> dict[str, str]:
    """The fields the original ``upload`` carries, e.g. ``{"caption": ..., "credit": ...}``.

    Only fields with a value are returned; ``{}`` for a file without any, or
    one that cannot be read. The upload's position is left as it was.
    """
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_IMAGE_BYTES:
        return {}  # prepare_image refuses it; nothing to read for
    position = upload.tell()
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PillowImage.DecompressionBombWarning)
            with PillowImage.open(upload) as picture:
                return _read(picture)
    except UnidentifiedImageError:
        return {}
    except _UNREADABLE as error:
        logger.info("Embedded metadata not read: %s: %s", type(error).__name__, error)
        return {}
    finally:
        upload.seek(position)


def _read(picture: PillowImage.Image) -> dict[str, str]:
    found: dict[str, str] = {}
    # Lowest precedence first; each reader overwrites what the one before found.
    for reader in (_from_exif, _from_iptc, _from_xmp):
        try:
            values = reader(picture)
        except _UNREADABLE as error:
            logger.info("%s not read: %s: %s", reader.__name__, type(error).__name__, error)
            continue
        for field, value in values.items():
            cleaned = clean_line(value)[: FIELD_LENGTHS[field]].strip()
            if cleaned:
                found[field] = cleaned
    return found


def _from_exif(picture: PillowImage.Image) -> dict[str, str]:
    raw = picture.info.get("exif")
    if raw is not None and len(raw) > MAX_EXIF_BYTES:
        return {}
    exif = picture.getexif()
    values = {}
    for field, tags in _EXIF_TAGS.items():
        for tag in tags:
            value = exif.get(tag)
            if isinstance(value, bytes):
                value = value.decode("utf-8", errors="replace")
            if isinstance(value, str) and value.strip("\x00 "):
                values[field] = value.strip("\x00 ")
                break
    return values


def _from_iptc(picture: PillowImage.Image) -> dict[str, str]:
    info = IptcImagePlugin.getiptcinfo(picture)
    if not info:
        return {}
    charset = info.get((1, 90))
    is_utf8 = isinstance(charset, bytes) and charset.startswith(_IPTC_UTF8)
    values = {}
    for field, datasets in _IPTC_DATASETS.items():
        for dataset in datasets:
            value = info.get(dataset)
            if isinstance(value, list):  # a repeated dataset (several bylines)
                value = b", ".join(v for v in value if isinstance(v, bytes))
            if isinstance(value, bytes) and value.strip():
                values[field] = _iptc_text(value[:MAX_IPTC_VALUE_BYTES], is_utf8)
                break
    return values


def _iptc_text(value: bytes, is_utf8: bool) -> str:
    # Files that do not declare UTF-8 are most often UTF-8 anyway; older ones Latin-1.
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        if is_utf8:
            return value.decode("utf-8", errors="replace")
        return value.decode("cp1252", errors="replace")


def _xmp_packet(picture: PillowImage.Image) -> bytes | None:
    for key in ("xmp", "XML:com.adobe.xmp"):
        packet = picture.info.get(key)
        if isinstance(packet, str):
            packet = packet.encode("utf-8")
        if isinstance(packet, bytes) and packet:
            return packet
    return None


def _from_xmp(picture: PillowImage.Image) -> dict[str, str]:
    packet = _xmp_packet(picture)
    if packet is None or len(packet) > MAX_XMP_BYTES:
        return {}
    # The packet wrapper (<?xpacket ... ?>) is a processing instruction; the
    # parser drops it. Trailing padding after the root is whitespace.
    root = fromstring(packet.strip(b"\x00 \t\r\n"), max_bytes=MAX_XMP_BYTES)
    descriptions = root.iter(f"{{{_NS['rdf']}}}Description")
    values: dict[str, str] = {}
    for description in descriptions:
        for field, properties in _XMP_PROPERTIES.items():
            if field in values:
                continue
            for name in properties:
                if text := _xmp_property(description, name):
                    values[field] = text
                    break
    return values


def _xmp_property(description: etree._Element, name: str) -> str:
    prefix, local = name.split(":")
    qualified = f"{{{_NS[prefix]}}}{local}"
    # A simple property may be an attribute of rdf:Description …
    if attribute := description.get(qualified):
        return attribute
    element = description.find(qualified)
    if element is None:
        return ""
    items = element.findall(f".//{{{_NS['rdf']}}}li")
    if not items:
        return "".join(element.itertext())
    # … a language alternative (dc:description, dc:rights): x-default, else the first …
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    if element.find(f"{{{_NS['rdf']}}}Alt") is not None:
        chosen = next((li for li in items if li.get(lang) == "x-default"), items[0])
        return "".join(chosen.itertext())
    # … or an ordered list (dc:creator): every name.
    return ", ".join(text for li in items if (text := "".join(li.itertext()).strip()))
