"""Real images made in memory, for tests that need an upload."""

from __future__ import annotations

import io

from PIL import Image as PillowImage


def png_bytes(width: int = 32, height: int = 18, colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    PillowImage.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()
