"""Reading a rendered PDF back: text per page (whitespace collapsed) and page sizes."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pages_text(data: bytes) -> list[str]:
    return [collapse(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def page_sizes(data: bytes) -> set[tuple[float, float]]:
    return {
        (round(float(page.mediabox.width), 1), round(float(page.mediabox.height), 1))
        for page in PdfReader(io.BytesIO(data)).pages
    }
