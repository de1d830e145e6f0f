"""Logo images made on the fly for the letterhead tests."""

import io

from PIL import Image

LOGO_SIZE = (300, 100)
LOGO_COLOUR = (200, 30, 90)


def logo_bytes(kind: str = "PNG", size=LOGO_SIZE, colour=LOGO_COLOUR) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, kind)
    return out.getvalue()
