"""Every text a patient or a physio sees is marked for translation.

The guard renders the product in a pseudo-language ("xx") whose catalogue wraps every message
of our Spanish catalogue and of Django's own catalogues as ``⟦message⟧`` (placeholders kept,
so values are filled in as usual). Then it renders every page a patient and a physio reach
(the access matrix's world and URLs: each GET row some persona gets a 200 from), every email
(through the services that send them) and the PDFs' HTML, and takes the visible text: text
nodes outside script/style; title, alt, aria-label, placeholder, a submit button's value; and
data-label, hx-confirm, data-name, which styles and scripts show. It removes the wrapped
segments and fails on any word left that is not on the allowlist (names from the test world,
e-mail addresses, URLs, rule ids, exercise keys, time zone names, STarT Back, PSFS, NPRS, ODI,
units). A word left over is a text a Spanish reader would get in English: mark it
(`{% translate %}`, ``gettext``, ``clinical.i18n._``) or show a stored core text through
``localise``.

All leaks are listed in one message, per page, so they can be fixed in one pass. Not covered:
texts that scripts write (djangojs), and pages only a POST answers (a form with its errors).
"""

from __future__ import annotations

import gettext
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import django
import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django.utils.translation import trans_real
from rest_framework.test import APIClient

import core.i18n
from tests.test_access_matrix import (  # noqa: F401 (world: the matrix's module fixture)
    MATRIX,
    PERSONAS,
    Rollback,
    _filled,
    body_of,
    world,
)

PSEUDO = "xx"
OPEN, CLOSE = "⟦", "⟧"
ROOT = Path(__file__).resolve().parents[2]
OUR_CATALOGUE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"

# Who asks for a page, when several personas may: the patient's and the physio's own views
# first (what they see is what this guard is about), then the rest.
PREFERRED = ("patient_a1", "physio_a", "anonymous", "staff", "patient_a2", "physio_b")

# Not translated, ever: names of languages in their own language, the pseudo-language itself,
# instruments' names, units and abbreviations that read the same in Spanish.
ALLOWED = {
    "English",
    "Español",
    "Pseudo",
    "xx",
    "STarT",
    "Back",
    "PSFS",
    "NPRS",
    "ODI",
    "MCID",  # minimal clinically important difference: the acronym Spanish papers use too
    "PDF",
    "kg",
    "cm",
    "mm",
    "min",
}
URL = re.compile(r"\b(?:https?|mailto|cid|data):\S+|\bwww\.\S+|/[\w\-./?=&%#]+")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
TOKEN = re.compile(r"\b(?=[0-9a-f]*\d)[0-9a-f]{6,}\b")  # an API token's key, a digest
RULE_ID = re.compile(r"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b")
WORD = re.compile(r"[^\W\d_]{2,}")
WRAPPED_SEEN: list[bool] = []  # per page: did it show a wrapped (translated) text at all
WRAPPED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


# --- the pseudo catalogue ----------------------------------------------------------------


def wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


def _catalogues() -> list[Path]:
    """Our Spanish catalogue, then Django's and every installed app's Spanish ones (what
    Django translates by itself counts as marked)."""
    found = [OUR_CATALOGUE, Path(django.__file__).parent / "conf/locale/es/LC_MESSAGES/django.po"]
    for config in apps.get_app_configs():
        candidate = Path(config.path) / "locale" / "es" / "LC_MESSAGES" / "django.po"
        if candidate.is_file():
            found.append(candidate)
    return [path for path in found if path.is_file()]


def _pseudo(entries) -> polib.POFile:
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": PSEUDO,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for entry in entries:
        pseudo = polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid)
        if entry.msgid_plural:
            pseudo.msgid_plural = entry.msgid_plural
            pseudo.msgstr_plural = {0: wrap(entry.msgid), 1: wrap(entry.msgid_plural)}
        else:
            pseudo.msgstr = wrap(entry.msgid)
        po.append(pseudo)
    return po


@pytest.fixture(scope="module")
def pseudo_locale_paths(tmp_path_factory) -> list[Path]:
    """Two locale directories for "xx": our messages (what ``core.i18n.localise`` reads, as
    our LOCALE_PATHS does in production) and Django's and the apps' messages."""
    ours, theirs, seen = [], [], set()
    for number, path in enumerate(_catalogues()):
        for entry in polib.pofile(str(path)):
            key = (entry.msgctxt, entry.msgid)
            if entry.obsolete or not entry.msgid or key in seen:
                continue
            seen.add(key)
            (ours if number == 0 else theirs).append(entry)
    roots = []
    for name, entries in (("ours", ours), ("django", theirs)):
        root = tmp_path_factory.mktemp(f"pseudo-{name}")
        directory = root / PSEUDO / "LC_MESSAGES"
        directory.mkdir(parents=True)
        _pseudo(entries).save_as_mofile(str(directory / "django.mo"))
        roots.append(root)
    return roots


def _reset_translations() -> None:
    trans_real._translations = {}
    trans_real._default = None
    for cached in ("check_for_language", "get_languages", "get_supported_language_variant"):
        clear = getattr(getattr(trans_real, cached), "cache_clear", None)
        if clear is not None:
            clear()
    core.i18n.reset_cache()


@pytest.fixture
def pseudo_language(pseudo_locale_paths):
    ours, theirs = pseudo_locale_paths

    def own_messages(language: str) -> list[str]:
        # Only our catalogue's messages are patterns for stored texts (as in production). Read
        # directly: overriding a setting here would deactivate the language mid-page (Django's
        # setting_changed receiver resets the active translation).
        catalogue = gettext.translation(
            "django", localedir=str(ours), languages=[language], fallback=True
        )
        return [key for key in getattr(catalogue, "_catalog", {}) if isinstance(key, str)]

    from exercises import illustrations
    from exercises.catalogue_file import CatalogueEntry

    english_texts = CatalogueEntry.texts

    def texts(entry, language: str) -> dict:
        # The catalogue file's entries (the drawing builder's library) in the pseudo-language,
        # as the translation files give them in a real one.
        english = english_texts(entry, "en")
        if language != PSEUDO:
            return english_texts(entry, language)
        return {
            key: [wrap(step) for step in value] if isinstance(value, list) else wrap(value)
            for key, value in english.items()
        }

    info = {"bidi": False, "code": PSEUDO, "name": "Pseudo", "name_local": "Pseudo"}
    illustrations._library_poses.cache_clear()
    with (
        mock.patch.object(CatalogueEntry, "texts", texts),
        override_settings(
            LANGUAGES=[*settings.LANGUAGES, (PSEUDO, "Pseudo")],
            LOCALE_PATHS=[ours, theirs, *settings.LOCALE_PATHS],
        ),
        mock.patch.dict(LANG_INFO, {PSEUDO: info}),
        mock.patch.object(core.i18n, "_own_messages", own_messages),
    ):
        _reset_translations()
        try:
            yield
        finally:
            translation.activate(settings.LANGUAGE_CODE)
    illustrations._library_poses.cache_clear()
    _reset_translations()


def _speak_pseudo() -> None:
    """Every profile in "xx"; every exercise (and every frozen snapshot item) with a pseudo
    translation: its English texts wrapped."""
    from accounts.models import Patient, Physiotherapist
    from exercises.models import Exercise
    from programs.models import PlanRevision

    Patient.objects.update(language=PSEUDO)
    Physiotherapist.objects.update(language=PSEUDO)

    def texts(source) -> dict:
        get = (
            source.get
            if isinstance(source, dict)
            else lambda key, default: getattr(source, key, default)
        )
        return {
            "name": wrap(get("name", "") or ""),
            "steps": [wrap(step) for step in get("steps", []) or []],
            "cautions": wrap(get("cautions", "") or ""),
            "physio_notes": wrap(get("physio_notes", "") or ""),
            "patient_notes": wrap(get("patient_notes", "") or ""),
        }

    # H6 adds Exercise.translations (issue #17); until then only the snapshots carry them.
    if any(field.name == "translations" for field in Exercise._meta.get_fields()):
        for exercise in Exercise.objects.all():
            exercise.translations = {**(exercise.translations or {}), PSEUDO: texts(exercise)}
            exercise.save(update_fields=["translations"])
    for revision in PlanRevision.objects.all():
        snapshot = revision.snapshot
        for phase in snapshot.get("phases", []):
            for item in phase.get("items", []):
                item.setdefault("translations", {})[PSEUDO] = texts(item)
        PlanRevision.objects.filter(pk=revision.pk).update(snapshot=snapshot)


# --- visible text ------------------------------------------------------------------------


class VisibleText(HTMLParser):
    HIDDEN = {"script", "style"}
    # Shown too: a table cell's label on narrow screens (CSS attr()), htmx's confirmation
    # dialog, the exercise name the guided session's script shows.
    ATTRIBUTES = {
        *("title", "alt", "aria-label", "placeholder"),
        *("data-label", "hx-confirm", "data-name"),
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.attributes: list[str] = []
        self._hidden = 0
        # A fragment the page declares English (lang="en": the audit trail's technical
        # detail, kept as it was logged) is not a text waiting for its translation.
        self._declared_english: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        values = dict(attrs)
        nested = bool(self._declared_english) and tag == self._declared_english[-1]
        if nested or (values.get("lang") or "").split("-")[0] == "en":
            self._declared_english.append(tag)
        self.attributes += [values[name] or "" for name in self.ATTRIBUTES if name in values]
        is_button = tag == "button" or (
            tag == "input" and (values.get("type") or "").lower() in {"submit", "button", "reset"}
        )
        if is_button and tag == "input" and values.get("value"):
            self.attributes.append(values["value"])

    def handle_startendtag(self, tag, attrs) -> None:
        if tag not in self.HIDDEN:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1
        if self._declared_english and tag == self._declared_english[-1]:
            self._declared_english.pop()

    def handle_data(self, data) -> None:
        if not self._hidden and not self._declared_english:
            self.texts.append(data)


def _unwrapped(text: str) -> str:
    while True:
        shorter = WRAPPED.sub(" ", text)
        if shorter == text:
            return shorter.replace(OPEN, " ").replace(CLOSE, " ")
        text = shorter


def leaks(text: str, allowed: set[str]) -> list[str]:
    """The words of ``text`` outside the wrapped segments and the allowlist (single words,
    and whole texts written by people, which are taken out as they stand)."""
    rest = " ".join(text.split())
    for phrase in sorted((a for a in allowed if not WORD.fullmatch(a)), key=len, reverse=True):
        rest = rest.replace(phrase, " ")
    rest = _unwrapped(rest)
    for pattern in (URL, EMAIL, TOKEN, RULE_ID):
        rest = pattern.sub(" ", rest)
    return [word for word in WORD.findall(rest) if word not in allowed]


def html_leaks(html: str, allowed: set[str]) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    found = leaks("\n".join(parser.texts), allowed)
    for value in parser.attributes:
        found += leaks(value, allowed)
    return found


def _summary(words: list[str]) -> str:
    seen: dict[str, None] = dict.fromkeys(words)
    return " ".join(seen)


def test_the_guard_sees_an_unmarked_text_and_passes_a_marked_one():
    allowed = {"Quillfeather", "Hold the rail."}
    page = (
        f"<title>{wrap('My plan')}</title><p>{wrap('Hello %(name)s').replace('%(name)s', 'Ann')}"
        f"</p><p>Forgotten words</p><script>var notShown = 1;</script>"
        f'<img alt="A drawing" src="/static/x.png"><input type="submit" value="{wrap("Save")}">'
        f"<p>{wrap('Sent to a1@example.com')} RF-EMERG-CES Quillfeather https://x.example/a</p>"
        "<p>Hold the rail.</p><p>Hold the bar.</p><code>fc3a9b01</code>"
    )
    assert html_leaks(page, allowed) == ["Forgotten", "words", "Hold", "the", "bar", "drawing"]


# --- what the world holds that is never translated ----------------------------------------


def _world_words(built) -> set[str]:
    """People's and clinics' names, the exercise keys, and what a physio or patient wrote
    themselves: shown as written, by design."""
    from django.contrib.auth import get_user_model

    from accounts.models import Clinic, Patient
    from exercises.models import Exercise
    from followup.models import Alert
    from tests.test_access_matrix import PRIVATE_EXERCISE_FIELDS

    words: set[str] = set()
    for user in get_user_model().objects.all():
        words |= set(WORD.findall(f"{user.full_name} {user.email}"))
    for patient in Patient.objects.all():
        words |= set(WORD.findall(f"{patient.first_name} {patient.last_name}"))
    # A clinic's name as a whole ("Clinic A"), not its words; and its own emergency wording
    # (one text per clinic, written by the clinic, shown as written).
    for name, wording in Clinic.objects.values_list("name", "emergency_wording"):
        words |= {str(name), str(wording)} - {""}
    for key in Exercise.objects.values_list("key", flat=True):
        words |= set(WORD.findall(key))
    # Time zone names (the IANA identifiers a select lists) are not translated.
    # (shown as "America/New_York": the URL pattern takes what follows the first slash).
    for name in zoneinfo.available_timezones():
        words |= set(WORD.findall(name.split("/")[0]))
    # Whole texts, taken out as they stand (their words may be leaks elsewhere): the private
    # exercise and the PSFS activity, written by people; and the alert message the world
    # writes by hand in place of the core's PROGRESS message.
    words |= {PRIVATE_EXERCISE_FIELDS["name"], *PRIVATE_EXERCISE_FIELDS["steps"], "Gardening"}
    # Rule ids without a hyphen ("PROGRESS"), as the alerts name them.
    words |= set(Alert.objects.values_list("rule_id", flat=True))
    alert = Alert.objects.get(pk=built.placeholders["alert"])
    words.add(alert.physio_message)
    return words | ALLOWED


# --- the guard ---------------------------------------------------------------------------


def _pages(built) -> dict[str, list[str]]:
    """Every GET page some persona gets a 200 from (the API speaks JSON: not pages)."""
    found: dict[str, list[str]] = {}
    allowed = _world_words(built)
    for row in MATRIX.values():
        if row.is_api:
            continue
        for check in row.checks:
            if check.method != "GET":
                continue
            persona = next((p for p in PREFERRED if check.expected[PERSONAS.index(p)] == 200), None)
            if persona is None:
                continue
            client = APIClient(HTTP_ACCEPT_LANGUAGE=PSEUDO)
            if built.users[persona] is not None:
                client.force_login(built.users[persona])
            url = _filled(check.url or row.url, built.placeholders)
            try:
                with transaction.atomic():
                    response = client.get(url)
                    body = body_of(response)
                    raise Rollback
            except Rollback:
                pass
            label = f"GET {url} ({persona}, {row.name})"
            if response.status_code != 200:
                # The access matrix checks the answers; a drawing's URL names its content,
                # which the pseudo translations change.
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            words = html_leaks(body, allowed)
            if words:
                found[label] = words
            WRAPPED_SEEN.append(OPEN in body)
    return found


def _emails(built) -> dict[str, list[str]]:
    from accounts.models import Invitation
    from documents.services import send_program_ready_email
    from followup.services import send_alert_email, send_function_review_email

    allowed = _world_words(built)
    invitation = Invitation.objects.get(patient_id=built.placeholders["invited"])
    _send_again(built)
    sends = {
        "program ready": lambda: send_program_ready_email(
            document_id=built.placeholders["document"]
        ),
        "alert": lambda: send_alert_email(alert_id=built.placeholders["alert"]),
        "function review": lambda: send_function_review_email(
            review_id=built.placeholders["function_review"]
        ),
        "invitation": lambda: _send_invitation(invitation),
        "reminder": lambda: _send_reminder(built),
    }
    found: dict[str, list[str]] = {}
    for name, send in sends.items():
        mail.outbox = []
        try:
            with transaction.atomic():
                # As the tasks do: in the recipient's language (everyone speaks "xx" here).
                with translation.override(PSEUDO):
                    send()
                raise Rollback
        except Rollback:
            pass
        if not mail.outbox:
            found[f"email {name}"] = ["nothing was sent"]
            continue
        for message in mail.outbox:
            words = leaks(message.subject, allowed) + leaks(message.body, allowed)
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    words += html_leaks(content, allowed)
            if words:
                found[f"email {name}: {message.subject!r}"] = words
    return found


def _send_again(built) -> None:
    """The world's emails went out when it was built: mark them unsent (rolled back after
    the test), so the services send them once more."""
    from documents.models import ProgramDocument
    from followup.models import Alert, FunctionReview

    ProgramDocument.objects.filter(pk=built.placeholders["document"]).update(
        patient_notified_at=None
    )
    Alert.objects.filter(pk=built.placeholders["alert"]).update(emailed_at=None)
    FunctionReview.objects.filter(pk=built.placeholders["function_review"]).update(emailed_at=None)


def _send_invitation(invitation) -> None:
    from accounts.models import Invitation
    from accounts.services import send_invitation_email

    Invitation.objects.filter(pk=invitation.pk).update(sent_at=None)
    send_invitation_email(invitation_id=invitation.pk)


def _send_reminder(built) -> None:
    from django.core.mail import get_connection
    from django.utils import timezone

    from accounts.models import Patient
    from programs.models import PlanRevision
    from reminders.models import ReminderDelivery, ReminderSchedule
    from reminders.services import build_reminder_email

    patient = Patient.objects.get(pk=built.placeholders["patient"])
    revision = PlanRevision.objects.filter(plan_id=built.placeholders["plan"]).latest("number")
    delivery = ReminderDelivery.objects.create(patient=patient, slot_at=timezone.now())
    build_reminder_email(
        delivery=delivery,
        schedule=ReminderSchedule.objects.get(patient=patient),
        revision=revision,
        connection=get_connection(),
    ).send()


def _pdfs(built) -> dict[str, list[str]]:
    from documents.models import ProgramDocument
    from documents.services import program_html
    from followup.models import ProgressReport
    from followup.progress_report import progress_report_html

    allowed = _world_words(built)
    found: dict[str, list[str]] = {}
    with translation.override(PSEUDO):
        document = ProgramDocument.objects.get(pk=built.placeholders["document"])
        large = ProgramDocument.objects.filter(revision=document.revision, is_large_print=True)
        documents = {"program PDF": document}
        if large.exists():
            documents["program PDF, large print"] = large.first()
        htmls = {}
        for name, printed in documents.items():
            # A document prints in its own language (the patient's, when it was asked for).
            if hasattr(printed, "language"):
                printed.language = PSEUDO  # not saved
            htmls[name] = program_html(printed)
        htmls["progress report PDF"] = progress_report_html(
            ProgressReport.objects.get(pk=built.placeholders["progress_report"])
        )
    for name, html in htmls.items():
        words = html_leaks(html, allowed)
        if words:
            found[name] = words
    return found


@pytest.mark.django_db
def test_every_page_email_and_pdf_shows_only_marked_texts(world, pseudo_language):  # noqa: F811
    _speak_pseudo()
    WRAPPED_SEEN.clear()
    found = {**_pages(world), **_emails(world), **_pdfs(world)}
    # The guard itself works: the pages are rendered in the pseudo-language.
    assert any(WRAPPED_SEEN), "no page showed a pseudo-translated text: is 'xx' active?"
    report = "\n".join(f"- {where}: {_summary(words)}" for where, words in sorted(found.items()))
    assert not found, (
        f"{len(found)} pages, emails or PDFs show texts that are not marked for translation "
        "(or stored core texts not shown through localise); the words left over:\n" + report
    )
