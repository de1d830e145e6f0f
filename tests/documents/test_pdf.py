"""The rendered program, read back from real WeasyPrint output."""

from __future__ import annotations

import datetime
import math
import socket

import pytest

from clinical.education import EDUCATION, SAFETY_NET
from documents import pdf
from exercises.models import Exercise
from tests.documents.conftest import item_names, make_plan, publish, set_first_note
from tests.documents.pdf_text import collapse, figures, page_sizes, pages_text

A4 = (595.3, 841.9)
LETTER = (612.0, 792.0)


def render(
    revision, *, large_print=False, paper_size="A4", url_fetcher=None, tagged=False
) -> bytes:
    html = pdf.render_program_html(
        snapshot=revision.snapshot,
        revision_number=revision.number,
        published_at=revision.published_at,
        large_print=large_print,
        paper_size=paper_size,
    )
    return pdf.render_pdf(html, url_fetcher=url_fetcher, tagged=tagged)


@pytest.fixture
def no_sockets(monkeypatch):
    """Every outgoing connection attempt is recorded and refused."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


@pytest.mark.django_db
def test_program_pdf_carries_the_plan_and_the_safety_information(revision, patient_a1):
    data = render(revision)

    pages = pages_text(data)
    text = " ".join(pages)
    assert patient_a1.full_name in pages[0]
    assert "When to get help" in pages[0]
    assert "Call 999 in an emergency." in pages[0]  # the clinic's own wording
    assert collapse(SAFETY_NET) in pages[0]
    assert collapse(SAFETY_NET) in pages[-1]  # the log sheet carries it too
    for name in item_names(revision):
        assert name in text
    assert "How much pain is OK?" in text
    assert f"Page 1 of {len(pages)}" in pages[0]
    start = datetime.date.fromisoformat(revision.snapshot["start_date"])
    review = start + datetime.timedelta(days=14)  # CHK-2W when the phases have no end dates
    assert f"Review by {review:%A} {review.day} {review:%B %Y}" in pages[0]
    assert all(f"Revision {revision.number}" in page for page in pages)
    # Bound: a cover (two pages at most), then per phase a page of facts and at least two
    # cards to a page, the symptom-response table, one log sheet per week of the current phase.
    phases = revision.phases
    log_weeks = len(pdf._log_weeks(pdf._phase_context(phases[0])))
    upper = 2 + sum(1 + math.ceil(len(p["items"]) / 2) for p in phases) + 1 + log_weeks
    lower = 1 + len(phases) + 1 + log_weeks
    assert lower <= len(pages) <= upper


def frame_labels(revision) -> list[str]:
    return [
        f"{item['name']}: {frame['label']}"
        for phase in revision.phases
        for item in phase["items"]
        for frame in item["drawing"]["frames"]
    ]


@pytest.mark.django_db
def test_every_item_shows_its_drawing_frame_by_frame(revision):
    # Tagged, to read each drawing's alt text back; the page content is the same untagged.
    drawn = [alt for _, alt in figures(render(revision, tagged=True))]

    assert drawn == frame_labels(revision)  # every item's frames, in the plan's order
    frames_per_item = [
        len(item["drawing"]["frames"]) for phase in revision.phases for item in phase["items"]
    ]
    assert len(frames_per_item) == len(item_names(revision)) >= 10
    assert min(frames_per_item) >= 2


@pytest.mark.django_db
def test_large_print_keeps_each_card_with_its_frames_on_one_page(revision):
    data = render(revision, large_print=True, tagged=True)
    pages = pages_text(data)
    drawn = figures(data)

    assert [alt for _, alt in drawn] == frame_labels(revision)
    remaining = iter(drawn)
    for phase in revision.phases:
        for item in phase["items"]:
            on = {next(remaining)[0] for _ in item["drawing"]["frames"]}
            assert len(on) == 1, item["name"]  # every frame of the card on one page...
            page = pages[on.pop()]
            assert item["name"] in page  # ...with the card's name and its last step
            assert collapse(item["steps"][-1])[-30:] in page


@pytest.mark.django_db
def test_large_print_gives_every_exercise_its_own_page(revision):
    standard = pages_text(render(revision))
    large = pages_text(render(revision, large_print=True))

    names = item_names(revision)
    assert len(large) > len(standard)
    assert len(large) >= 1 + len(names) + 1
    card_pages = [page for page in large if "Take care:" in page or "set" in page]
    for name in names:
        assert any(name in page for page in card_pages)


@pytest.mark.django_db
@pytest.mark.parametrize(("paper_size", "expected"), [("A4", A4), ("letter", LETTER)])
def test_page_size_follows_the_clinic(revision, paper_size, expected):
    from documents.models import ProgramDocument
    from documents.services import program_html

    clinic = revision.plan.patient.clinic
    clinic.paper_size = paper_size
    clinic.save(update_fields=["paper_size"])
    document = ProgramDocument.objects.get(revision=revision, is_large_print=False)

    data = pdf.render_pdf(program_html(document))

    assert page_sizes(data) == {expected}


@pytest.mark.django_db
def test_therapist_markup_is_printed_as_text_and_fetches_nothing(patient_a1, catalogue, no_sockets):
    plan = make_plan(patient_a1)
    note = '<script>alert(1)</script> <img src="http://example.invalid/x.png">'
    set_first_note(plan, note)
    revision = publish(plan)
    fetcher = pdf.make_url_fetcher()

    text = " ".join(pages_text(render(revision, url_fetcher=fetcher)))

    assert "<script>alert(1)</script>" in text
    # The line may wrap inside the URL: compare without spaces.
    assert '<imgsrc="http://example.invalid/x.png">' in text.replace(" ", "")
    assert fetcher.requested  # the stylesheet and the drawings came through it
    assert all(
        url.startswith(("backcare-static:", "data:image/svg+xml;base64,"))
        for url in fetcher.requested
    )
    assert fetcher.refused == []
    assert no_sockets == []


HOSTILE_URLS = [
    "http://example.invalid/x.png",
    "https://example.invalid/style.css",
    "file:///etc/passwd",
    "ftp://example.invalid/a.png",
    "backcare-static:../config/settings.py",
    "backcare-static:/etc/passwd",
]


def test_the_url_fetcher_refuses_everything_but_our_static_files(no_sockets):
    fetcher = pdf.make_url_fetcher()
    pixel = (
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNk"
        "YAAAAAYAAjCB0C8AAAAASUVORK5CYII="
    )
    html = (
        "<html><head>"
        '<link rel="stylesheet" href="https://example.invalid/style.css">'
        "<style>body { background: url(ftp://example.invalid/a.png) }</style></head><body>"
        '<img src="http://example.invalid/x.png"><img src="file:///etc/passwd">'
        '<img src="backcare-static:../config/settings.py"><img src="backcare-static:/etc/passwd">'
        f'<img src="{pixel}"><img src="backcare-static:pictograms/supine.svg">'
        "<p>Still renders</p></body></html>"
    )

    data = pdf.render_pdf(html, url_fetcher=fetcher)

    assert "Still renders" in pages_text(data)[0]
    assert sorted(fetcher.refused) == sorted(HOSTILE_URLS)
    assert pixel in fetcher.requested and "backcare-static:pictograms/supine.svg" in (
        fetcher.requested
    )
    assert no_sockets == []


def test_help_box_uses_the_approved_emergency_text():
    lists = pdf._help_lists()

    assert lists["emergency_lead"] == "Get emergency help now if you have"
    assert lists["emergency_signs"][0] in EDUCATION["emergency"].text
    assert len(lists["emergency_signs"]) == 5


@pytest.mark.django_db
def test_the_pdf_prints_the_patients_tip_and_never_the_physio_notes(revision):
    exercises = Exercise.objects.filter(clinic=None, key__in=revision.exercise_keys())
    tips = sorted({e.patient_notes for e in exercises if e.patient_notes})
    physio_notes = sorted({e.physio_notes for e in exercises if len(e.physio_notes) > 25})

    text = " ".join(pages_text(render(revision)))

    assert tips and physio_notes  # the plan has both kinds, so the test can fail
    assert [tip for tip in tips if collapse(tip) not in text] == []
    assert [note for note in physio_notes if collapse(note) in text] == []
    assert "From your physio" not in text
