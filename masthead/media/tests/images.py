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
