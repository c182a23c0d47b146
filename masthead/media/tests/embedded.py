"""Photos that carry their words inside the file, as agencies send them: IPTC-IIM, XMP, EXIF."""

from __future__ import annotations

import io
import struct

from PIL import ExifTags, PngImagePlugin
from PIL import Image as PillowImage


def iim(fields: dict[tuple[int, int], bytes]) -> bytes:
    """IPTC-IIM datasets: 0x1C, record, dataset, length, value."""
    out = b""
    for (record, dataset), value in fields.items():
        out += bytes([0x1C, record, dataset]) + struct.pack(">H", len(value)) + value
    return out


def app13(iptc: bytes) -> bytes:
    """A JPEG APP13 segment: Photoshop image resources with the IPTC block (0x0404)."""
    padded = iptc + (b"\0" if len(iptc) % 2 else b"")
    resource = b"8BIM" + b"\x04\x04" + b"\0\0" + struct.pack(">I", len(iptc)) + padded
    payload = b"Photoshop 3.0\0" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def xmp_packet(
    description="", credit="", creators=(), rights="", source="", usage="", alt=""
) -> bytes:
    creator = ""
    if creators:
        items = "".join(f"<rdf:li>{name}</rdf:li>" for name in creators)
        creator = f"<dc:creator><rdf:Seq>{items}</rdf:Seq></dc:creator>"
    parts = [
        f'<dc:description><rdf:Alt><rdf:li xml:lang="fa">تهران</rdf:li>'
        f'<rdf:li xml:lang="x-default">{description}</rdf:li></rdf:Alt></dc:description>'
        if description
        else "",
        creator,
        f'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{rights}</rdf:li></rdf:Alt></dc:rights>'
        if rights
        else "",
        f'<xmpRights:UsageTerms><rdf:Alt><rdf:li xml:lang="x-default">{usage}</rdf:li>'
        "</rdf:Alt></xmpRights:UsageTerms>"
        if usage
        else "",
        f'<Iptc4xmpCore:AltTextAccessibility><rdf:Alt><rdf:li xml:lang="x-default">{alt}'
        "</rdf:li></rdf:Alt></Iptc4xmpCore:AltTextAccessibility>"
        if alt
        else "",
    ]
    attributes = (f' photoshop:Credit="{credit}"' if credit else "") + (
        f' photoshop:Source="{source}"' if source else ""
    )
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/" '
        'xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        f'{attributes} exif:GPSLatitude="35,41.4N">'
        + "".join(parts)
        + '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def exif_words(description="", artist="", copyright_="") -> PillowImage.Exif:
    exif = PillowImage.Exif()
    if description:
        exif[ExifTags.Base.ImageDescription] = description
    if artist:
        exif[ExifTags.Base.Artist] = artist
    if copyright_:
        exif[ExifTags.Base.Copyright] = copyright_
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N"}
    return exif


def jpeg(
    *,
    size=(64, 48),
    exif: PillowImage.Exif | None = None,
    xmp: bytes | None = None,
    iptc: bytes | None = None,
    colour=(30, 120, 200),
) -> bytes:
    out = io.BytesIO()
    options = {"quality": 90}
    if exif is not None:
        options["exif"] = exif
    if xmp is not None:
        options["xmp"] = xmp
    PillowImage.new("RGB", size, colour).save(out, "JPEG", **options)
    data = out.getvalue()
    if iptc is not None:
        data = data[:2] + app13(iptc) + data[2:]  # right after SOI
    return data


def png_with_xmp(xmp: bytes) -> bytes:
    out = io.BytesIO()
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp.decode())
    PillowImage.new("RGB", (20, 20), (0, 128, 0)).save(out, "PNG", pnginfo=info)
    return out.getvalue()
