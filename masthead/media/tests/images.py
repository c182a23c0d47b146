"""Real images made in memory, for tests that need an upload: plain, hostile or full of metadata."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, PngImagePlugin
from PIL import Image as PillowImage

# Words that stand for private metadata: none of them may reach a stored file.
CANARIES = (b"CanaryCam", b"Canary Source", b"SN-CANARY-42", b"canary comment", b"canary-xmp")
TEHRAN = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (35.0, 41.0, 22.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (51.0, 23.0, 20.0),
}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="35,41.4N" exif:UserComment="canary-xmp"/></rdf:RDF></x:xmpmeta>'
)


def png_bytes(width: int = 32, height: int = 18, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def private_exif(orientation: int | None = None) -> PillowImage.Exif:
    """EXIF as a phone writes it: where, with what camera, by whom."""
    exif = PillowImage.Exif()
    exif[ExifTags.Base.Make] = "CanaryCam"
    exif[ExifTags.Base.Artist] = "Canary Source"
    exif[ExifTags.Base.BodySerialNumber] = "SN-CANARY-42"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = TEHRAN
    return exif


def photo_with_metadata(
    image_format: str = "JPEG", size=(40, 30), orientation: int | None = None
) -> bytes:
    """A picture carrying GPS, camera and author EXIF, an XMP packet and a comment.

    Its left half is red and its right half blue, so a turned copy can be told apart.
    """
    picture = PillowImage.new("RGB", size, (220, 20, 20))
    picture.paste((20, 20, 220), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    options = {"exif": private_exif(orientation)}
    if image_format == "JPEG":
        options |= {"comment": b"canary comment", "xmp": XMP, "quality": 95}
    elif image_format == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "canary comment")
        text.add_itxt("XML:com.adobe.xmp", XMP.decode())
        options["pnginfo"] = text
    elif image_format == "WEBP":
        options |= {"xmp": XMP, "lossless": True}
    elif image_format == "GIF":
        picture = picture.convert("P")
        options = {"comment": b"canary comment"}
    picture.save(out, image_format, **options)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0"))


def large_png(width: int = 8000, height: int = 6000) -> bytes:
    """A real, fully decodable PNG of ``width`` x ``height`` grey pixels (a few hundred KB)."""
    out = io.BytesIO()
    PillowImage.new("L", (width, height), 128).save(out, "PNG")
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def gif_declaring(width: int, height: int) -> bytes:
    """A tiny GIF whose screen and only frame claim ``width`` x ``height`` pixels."""
    screen = struct.pack("<HH", width, height) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHH", 0, 0, width, height) + b"\x00" + b"\x02\x02\x44\x01\x00"
    return b"GIF89a" + screen + frame + b"\x3b"


def gif_of_tiny_frames(count: int, centiseconds: int = 1) -> bytes:
    """A 1 x 1 GIF animation of ``count`` equal frames, about 23 bytes each."""
    screen = struct.pack("<HH", 1, 1) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
    frame = (
        b"\x21\xf9\x04\x00"
        + struct.pack("<H", centiseconds)
        + b"\x00\x00"
        + b"\x2c"
        + struct.pack("<HHHH", 0, 0, 1, 1)
        + b"\x00\x02\x02\x44\x01\x00"
    )
    return b"GIF89a" + screen + frame * count + b"\x3b"


def jpeg_with_segment(jpeg: bytes, marker: int, payload: bytes) -> bytes:
    """``jpeg`` with one more marker segment (APPn, COM …) right after its start."""
    assert jpeg[:2] == b"\xff\xd8" and len(payload) + 2 <= 0xFFFF
    return (
        jpeg[:2] + bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]
    )


def iptc_block(caption: bytes) -> bytes:
    """A Photoshop APP13 payload holding an IPTC caption (record 2, dataset 120)."""
    iptc = b"\x1c\x02\x78" + struct.pack(">H", len(caption)) + caption
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc))
    return b"Photoshop 3.0\x00" + resource + iptc + b"\x00" * (len(iptc) % 2)


# What may be left in a stored file: the picture's own structure, a colour
# profile, transparency and animation timing. Anything else is metadata.
PICTURE_SEGMENTS = {
    "JPEG": {"SOI", "APP0", "APP2", "APP14", "DQT", "SOF0", "SOF1", "SOF2", "DHT", "DRI", "SOS"},
    "PNG": {
        *("IHDR", "PLTE", "tRNS", "IDAT", "IEND", "iCCP", "sRGB", "gAMA", "cHRM"),
        *("acTL", "fcTL", "fdAT"),
    },
    "WEBP": {"VP8 ", "VP8L", "VP8X", "ALPH", "ICCP", "ANIM", "ANMF"},
    "GIF": {"image", "graphic control", "NETSCAPE2.0"},
}


def segments(content: bytes) -> tuple[str, list[str]]:
    """The container format of ``content`` and the names of its segments, in order.

    Reads the file's own structure (JPEG markers up to the scan, PNG chunks,
    RIFF chunks, GIF blocks) rather than searching its bytes, and fails on
    any byte after the end of the picture.
    """
    if content[:2] == b"\xff\xd8":
        return "JPEG", _jpeg_segments(content)
    if content[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG", _png_chunks(content)
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        assert int.from_bytes(content[4:8], "little") + 8 == len(content), "bytes after the RIFF"
        return "WEBP", _riff_chunks(content, 12, len(content))
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", _gif_blocks(content)
    raise AssertionError(f"not a picture: {content[:16]!r}")


def _jpeg_segments(content: bytes) -> list[str]:
    names, position = ["SOI"], 2
    markers = {0xC0: "SOF0", 0xC1: "SOF1", 0xC2: "SOF2", 0xC4: "DHT", 0xDA: "SOS", 0xDB: "DQT"}
    markers |= {0xDD: "DRI", 0xFE: "COM"} | {0xE0 + n: f"APP{n}" for n in range(16)}
    while True:
        assert content[position] == 0xFF, "a segment must start here"
        marker = content[position + 1]
        names.append(markers.get(marker, f"0x{marker:02X}"))
        length = int.from_bytes(content[position + 2 : position + 4], "big")
        position += 2 + length
        if marker == 0xDA:  # the scan (and more scans) to the end marker
            assert content.endswith(b"\xff\xd9"), "bytes after the end of the JPEG"
            return names


def _png_chunks(content: bytes) -> list[str]:
    names, position = [], 8
    while position < len(content):
        length = int.from_bytes(content[position : position + 4], "big")
        names.append(content[position + 4 : position + 8].decode("latin-1"))
        position += 12 + length
        if names[-1] == "IEND":
            assert position == len(content), "bytes after IEND"
    return names


def _riff_chunks(content: bytes, start: int, end: int) -> list[str]:
    names, position = [], start
    while position < end:
        kind = content[position : position + 4].decode("latin-1")
        size = int.from_bytes(content[position + 4 : position + 8], "little")
        names.append(kind)
        if kind == "ANMF":  # a frame: its header, then its own chunks
            names += _riff_chunks(content, position + 24, position + 8 + size)
        position += 8 + size + size % 2
    return names


def _colour_table_bytes(flags: int) -> int:
    return 3 << ((flags & 7) + 1) if flags & 0x80 else 0


def _gif_blocks(content: bytes) -> list[str]:
    def skip_sub_blocks(position: int) -> int:
        while content[position]:
            position += content[position] + 1
        return position + 1

    flags = content[10]
    position = 13 + _colour_table_bytes(flags)
    names = []
    while content[position] != 0x3B:
        if content[position] == 0x2C:
            names.append("image")
            flags = content[position + 9]
            position += 10 + _colour_table_bytes(flags)
            position = skip_sub_blocks(position + 1)  # after the LZW code size
            continue
        assert content[position] == 0x21, "an extension must start here"
        label = content[position + 1]
        if label == 0xF9:
            names.append("graphic control")
        elif label == 0xFF:
            names.append(content[position + 3 : position + 14].decode("latin-1"))
        else:
            names.append({0xFE: "comment", 0x01: "plain text"}.get(label, f"0x{label:02X}"))
        position = skip_sub_blocks(position + 2)
    assert position + 1 == len(content), "bytes after the GIF trailer"
    return names
