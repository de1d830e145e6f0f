"""The printable program: HTML from Django templates, then PDF with WeasyPrint.

The renderer reads nothing from the network or the file system beyond our own static files
and ``data:`` URIs (DESIGN.md §9): templates link assets as ``backcare-static:<path>`` and a
restricted URL fetcher answers those from the project's static directory and refuses
everything else before any connection is made. Therapist text is autoescaped like any
template variable; nothing here marks it safe.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import mimetypes
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from clinical.education import EDUCATION, SAFETY_NET, SYMPTOM_RESPONSE
from core.i18n import localise
from programs import revision_content

STATIC_SCHEME = "backcare-static"
STYLESHEET = "pdf/program.css"
# A log sheet per week of the current phase; a phase without dates gets this many weeks.
DEFAULT_LOG_WEEKS = 2
MAX_LOG_WEEKS = 8
COVER_ADVICE_KEYS = {"education:plan_goal", "education:emergency"}


@dataclass(frozen=True)
class Letterhead:
    logo_uri: str = ""  # data:image/png;base64,... or ""
    colour: str = "#1f5f8b"


class FetchRefused(ValueError):
    """The PDF asked for a resource outside our static files."""


CHECK_AFTER_DAYS = 14


def static_dir() -> Path:
    return (Path(settings.BASE_DIR) / "static").resolve()


def static_url(path: str) -> str:
    return f"{STATIC_SCHEME}:{path.lstrip('/')}"


def read_static(path: str) -> bytes:
    """A file under static/, refusing any path that escapes it."""
    root = static_dir()
    target = (root / path.lstrip("/")).resolve()
    if not target.is_relative_to(root) or not target.is_file():
        raise FetchRefused(f"not one of our static files: {path}")
    return target.read_bytes()


def _fetcher_class():
    # WeasyPrint is heavy (Pango, fonts): loaded by the PDF worker, not by every web process.
    from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: PLC0415

    class StaticOnlyFetcher(URLFetcher):
        """Our static files and data: URIs; everything else refused without a request."""

        def __init__(self):
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)
            self.requested: list[str] = []
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            self.requested.append(url)
            scheme = url.split(":", 1)[0].lower()
            try:
                if scheme == STATIC_SCHEME:
                    path = url.split(":", 1)[1].split("?", 1)[0].split("#", 1)[0]
                    body = read_static(path)
                    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
                if scheme == "data":
                    return super().fetch(url, headers)
                raise FetchRefused(f"refused {scheme or 'relative'} URL in a PDF")
            except FetchRefused:
                self.refused.append(url)
                raise

    return StaticOnlyFetcher


def make_url_fetcher():
    """A fresh restricted fetcher; it records what was asked (``requested``, ``refused``)."""
    return _fetcher_class()()


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


# The symptom-response zones' names, as printed in the table's first column.
ZONE_LABELS = {
    "green": gettext_noop("Green"),
    "amber": gettext_noop("Amber"),
    "red": gettext_noop("Red"),
}


def _help_lists() -> dict:
    """The "When to get help" box, from the approved education texts (clinical-model §7), in
    the active language. The emergency text is one sentence, "lead: sign; sign; or sign.", in
    every language (its translation keeps the colon and semicolons)."""
    emergency = localise(EDUCATION["emergency"].text)
    lead, _colon, signs = emergency.partition(":")
    # The last sign starts with "or" ("o" in Spanish): the list shows it without.
    last_or = (pgettext("the last of a list of warning signs", "or") + " ", "or ")
    return {
        "emergency_lead": lead.strip(),
        "emergency_signs": [
            _without_prefix(sign.strip(), last_or).rstrip(".")
            for sign in signs.split(";")
            if sign.strip()
        ],
        "urgent": localise(EDUCATION["when_to_seek_help"].text),
        "flare_plan": localise(EDUCATION["flare_plan"].text),
    }


def _without_prefix(text: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if text.startswith(prefix):
            return text.removeprefix(prefix)
    return text


def page_numbers_css() -> str:
    """The CSS `content` of the page numbers ("Page 2 of 18") in the active language."""
    words = _("Page %(page)s of %(pages)s")
    parts = []
    for piece in re.split(r"(%\(page\)s|%\(pages\)s)", words):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "").replace('"', "") + '"')
    return " ".join(parts)


def _symptom_response() -> list[dict]:
    return [
        {
            "zone": zone.zone,
            "label": _(ZONE_LABELS.get(zone.zone, zone.zone)),
            "during_exercise": localise(zone.during_exercise),
            "afterwards": localise(zone.afterwards),
            "what_to_do": localise(zone.what_to_do),
        }
        for zone in SYMPTOM_RESPONSE
    ]


def _phase_context(phase: revision_content.SnapshotPhase) -> dict:
    advice = phase.get("advice", [])
    return {
        **phase,
        "start": _date(phase.get("start_date")),
        "end": _date(phase.get("end_date")),
        "modalities": [a for a in advice if a.get("kind") in ("cold", "heat")],
        "avoid": [a for a in advice if a.get("kind") == "avoid"],
        "other_advice": [a for a in advice if a.get("kind") in ("education", "safety")],
        "items": [
            {**item, "picture_url": static_url(item["picture"]) if item.get("picture") else ""}
            for item in phase.get("items", [])
        ],
    }


def _log_weeks(phase: dict) -> list[dict]:
    """One tick-off sheet per week of the current phase, with dates when the phase has them."""
    start, end = phase["start"], phase["end"]
    if start and end:
        count = math.ceil(((end - start).days + 1) / 7)
    else:
        count = math.ceil((phase.get("minimum_days") or 0) / 7) or DEFAULT_LOG_WEEKS
    count = max(1, min(count, MAX_LOG_WEEKS))
    weeks = []
    for index in range(count):
        if start:
            first = start + datetime.timedelta(days=7 * index)
            days = [first + datetime.timedelta(days=d) for d in range(7)]
        else:
            days = [None] * 7
        weeks.append({"number": index + 1, "days": days})
    return weeks


def render_program_html(
    *,
    snapshot: Mapping[str, Any],
    revision_number: int,
    published_at: datetime.datetime,
    large_print: bool,
    paper_size: str,
    letterhead: Letterhead | None = None,
) -> str:
    """The program as print HTML (one stylesheet, no scripts, assets via the static scheme),
    in the active language: `snapshot` is the revision's content in that language
    (`PlanRevision.content`); the fixed texts, the clinical core's texts and the dates follow
    the language too, and `<html lang>` names it.

    `letterhead`: the clinic's logo (a data: URI, the only image the fetcher allows besides
    our static files) and colour, on the first page.
    """
    phases = [_phase_context(phase) for phase in revision_content.phases(snapshot)]
    current = next(
        (p for p in phases if p["code"] == snapshot.get("current_phase")),
        phases[0] if phases else None,
    )
    review_date = current["end"] if current and current["end"] else None
    if review_date is None:
        review_date = max((p["end"] for p in phases if p["end"]), default=None)
    start_date = _date(snapshot.get("start_date"))
    if review_date is None and start_date:
        # CHK-2W: the plan is reviewed two weeks after it starts (clinical-model §4.5, D3).
        review_date = start_date + datetime.timedelta(days=CHECK_AFTER_DAYS)
    context = {
        "snapshot": snapshot,
        "patient": snapshot["patient"],
        "clinic": snapshot["clinic"],
        "physiotherapist": snapshot["physiotherapist"],
        "revision_number": revision_number,
        "published_at": published_at,
        "start_date": start_date,
        "review_date": review_date,
        "phases": phases,
        "current": current,
        "log_weeks": _log_weeks(current) if current else [],
        "help": _help_lists(),
        "plan_goal": localise(EDUCATION["plan_goal"].text),
        # The goal and the emergency list are printed on the cover already.
        "plan_advice": [
            advice
            for advice in snapshot.get("plan_advice", [])
            if advice.get("key") not in COVER_ADVICE_KEYS
        ],
        "symptom_response": _symptom_response(),
        "safety_net": localise(SAFETY_NET),
        # "Tuesday 8 December 2026"; Spanish "martes 8 de diciembre de 2026".
        "long_date": _("l j F Y"),
        # "8 Dec 2026" in English; a short numeric date where months are not abbreviated so.
        "short_date": _("j M Y"),
        "page_numbers": page_numbers_css(),
        "language": translation.get_language(),
        "is_large_print": large_print,
        "page_size": "letter" if paper_size.lower() == "letter" else "A4",
        "stylesheet_url": static_url(STYLESHEET),
        "letterhead": letterhead or Letterhead(),
    }
    return render_to_string("pdf/program.html", context)


@cache
def renderer_fingerprint() -> str:
    """What besides the HTML shapes the PDF: the stylesheet, pictograms and WeasyPrint itself.

    Part of the content hash, so a new stylesheet or WeasyPrint version renders afresh.
    """
    import weasyprint  # noqa: PLC0415 -- heavy, see _fetcher_class

    digest = hashlib.sha256(weasyprint.__version__.encode())
    root = static_dir()
    for path in sorted([root / STYLESHEET, *root.glob("pictograms/*.svg")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_hash(html: str) -> str:
    return hashlib.sha256((renderer_fingerprint() + html).encode()).hexdigest()


def render_pdf(html: str, *, url_fetcher=None, tagged: bool = False) -> bytes:
    """HTML → PDF bytes through the restricted fetcher (a fresh one unless given).

    `tagged` adds the PDF structure tree (reading order, each drawing a figure with its alt
    text). Off for the program PDF: it costs 10-20 % more CPU than the budget allows
    (DESIGN §8, 1.15 x bare WeasyPrint); the tests switch it on to find the drawings."""
    import weasyprint  # noqa: PLC0415 -- heavy, see _fetcher_class

    fetcher = url_fetcher or make_url_fetcher()
    document = weasyprint.HTML(string=html, base_url=f"{STATIC_SCHEME}:", url_fetcher=fetcher)
    return document.write_pdf(pdf_tags=tagged)
