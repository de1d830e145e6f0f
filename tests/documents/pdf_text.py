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


def figures(data: bytes) -> list[tuple[int, str]]:
    """The tagged PDF's figures in reading order: (page index, alt text)."""
    reader = PdfReader(io.BytesIO(data))
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    found: list[tuple[int, str]] = []

    def walk(node, page: int | None) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child, page)
            return
        if not isinstance(node, dict):
            return
        if "/Pg" in node:
            page = pages[node.raw_get("/Pg").idnum]
        if node.get("/S") == "/Figure":
            found.append((page if page is not None else -1, str(node.get("/Alt", ""))))
        if "/K" in node:
            walk(node["/K"], page)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None)
    return found
