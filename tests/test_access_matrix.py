"""The access matrix: every URL pattern of the project, for every persona: the expected answer.

One row per URL pattern (keyed by its full route, as `resolve(url).route` spells it; the row
repeats the URL name for the reader). Each row says which URL to request for it, then, per
method, one expected answer per persona in the order of `PERSONAS`:

    anonymous  patient A1  patient A2  physio A  physio B  staff
                (owner)    (same clinic) (theirs) (other clinic)

An answer is a status code, or `LOGIN` for a redirect to the login page. Writes send a valid
payload, so the persona entitled to it shows the operation works while everyone else is
refused with the same request; a refused write (401/403/404/405/LOGIN to POST, PUT, PATCH or
DELETE) must change no row of the project's tables. Bodies other personas receive must not
carry patient A1's details or clinic A's private exercise (DESIGN §6: everything else is 404,
never a leak of existence).

`test_every_url_pattern_has_a_row` compares the table with the resolver: a new URL fails the
suite, naming itself, until it has a row here; `test_every_method_an_api_view_answers_has_a_check`
does the same for the methods of API views. To add a row: put the objects its URL needs in
`_build_world` (through the services) under a placeholder name, then one `row(...)` with a
check per method the view accepts.

The world (clinics, personas, a published plan, a ready PDF, a reminder schedule, signed links)
is built once per module through the real services and committed; every test runs in a
transaction rolled back at its end, and every request in its own savepoint, so writes never
leak between requests or tests. The database is flushed when the module ends.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from types import SimpleNamespace
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken
from knox.settings import CONSTANTS
from PIL import Image
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.services import invitation_token, invite_patient
from clinical.intake import required_red_flag_questions
from core import links
from documents.models import ProgramDocument
from documents.services import download_token
from exercises.illustrations import drawing_from_library, illustration_url, illustrations_for
from exercises.models import Exercise
from exercises.services import create_clinic_exercise, load_catalogue
from followup.models import Alert, ProgressReport
from followup.services import check_in_token, record_check_in, request_function_review
from programs.intake_form import AssessmentForm
from programs.models import Prescription
from programs.services import add_prescription, generate_plan, publish_plan, record_assessment
from reminders.models import ReminderSchedule
from reminders.services import unsubscribe_token
from tests.clock import suite_today
from tests.factories import (
    PASSWORD,
    ClinicFactory,
    PatientFactory,
    PhysiotherapistFactory,
    UserFactory,
)
from tests.followup.conftest import CALM_DAY_API, CALM_DAY_FORM
from tests.programs.intake_data import intake_form_data

PERSONAS = ("anonymous", "patient_a1", "patient_a2", "physio_a", "physio_b", "staff")
LOGIN = "302 to login"
REFUSED = {401, 403, 404, 405, LOGIN}

# What nobody but clinic A's physios and patient A1 may see: A1's details, and clinic A's
# private exercise (staff may read the whole catalogue, so only A1's details apply to them).
A1_DETAILS = ("a1@example.com", "Quillfeather")
PRIVATE_EXERCISE = ("A-CLINIC-1", "Clinic A stair walking")
MUST_NOT_SEE = {
    "anonymous": A1_DETAILS + PRIVATE_EXERCISE,
    "patient_a2": A1_DETAILS + PRIVATE_EXERCISE,
    "physio_b": A1_DETAILS + PRIVATE_EXERCISE,
    "staff": A1_DETAILS,
}

# Not in the matrix, each for a reason.
EXCLUDED = {
    "admin/": "Django's admin: staff only, guarded by Django's own admin permissions",
    # Neither has a URL pattern today; listed so one added later stays out of the matrix
    # knowingly: WhiteNoise serves static files as middleware, and private media has no public
    # route by design (PDFs only through the access-checked download views).
    "static/": "static files (WhiteNoise middleware)",
    "media/": "never routed (private storage)",
}


# --- the table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    method: str
    expected: tuple
    data: dict | None = None
    url: str | None = None  # another URL of the same pattern (e.g. with a signed link)
    # What anyone may see here after all (of A1_DETAILS and PRIVATE_EXERCISE).
    may_show: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    name: str
    url: str
    checks: tuple[Check, ...]

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")


DRAWING_CHOICE = {"view": "left", "start": "sitting", "end": "C13:lean", "props": ["chair"]}


class UploadedPicture:
    """A PNG file for the upload row: the same bytes on every read (one per persona)."""

    name = "picture.png"

    def read(self) -> bytes:
        output = io.BytesIO()
        Image.new("RGB", (40, 30), "white").save(output, format="PNG")
        return output.getvalue()


def row(name: str, url: str, *checks: Check) -> Row:
    assert all(len(check.expected) == len(PERSONAS) for check in checks), name
    return Row(name, url, checks)


def get(*expected, **options) -> Check:
    return Check("GET", expected, **options)


def post(*expected, data=None, **options) -> Check:
    return Check("POST", expected, data or {}, **options)


def put(*expected, data=None, **options) -> Check:
    return Check("PUT", expected, data or {}, **options)


def patch(*expected, data=None, **options) -> Check:
    return Check("PATCH", expected, data or {}, **options)


def delete(*expected, **options) -> Check:
    return Check("DELETE", expected, **options)


TODAY = suite_today()


def intake_json(**changes) -> dict:
    """A complete, clear lumbar intake for the API; every red-flag question answered "no"."""
    data = {
        "assessment_date": TODAY.isoformat(),
        "pregnancy_status": "not_pregnant",
        "regions": ["lumbar"],
        "primary_region": "lumbar",
        "onset_date": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "onset_type": "sudden_injury",
        "triggers": ["heavy_lift"],
        "previous_episodes": "none",
        "pain_now": 6,
        "pain_worst_24h": 7,
        "irritability": "moderate",
        "aggravating": ["bending_forward"],
        "radiating_pain": "none",
        "paraesthesia": "none",
        "weakness": "none",
        "function_walk_10min": True,
        "work_status": "working_normally",
        "time_per_day": 20,
        "equipment": ["floor_mat", "pillows", "ice_pack", "heat_pack"],
        **changes,
    }
    data["red_flags"] = {key: "no" for key in required_red_flag_questions(data["regions"])}
    return data


def intake_form(**changes) -> dict:
    return intake_form_data(
        assessment_date=TODAY.isoformat(),
        onset_date=(TODAY - datetime.timedelta(days=1)).isoformat(),
        **changes,
    )


NEW_PATIENT = {
    "first_name": "Nia",
    "last_name": "Newcomer",
    "date_of_birth": "1975-05-05",
    "email": "new.patient@example.com",
    "timezone": "Europe/London",
    "language": "en",
}
PATIENT_CHANGE = {**NEW_PATIENT, "email": "a1@example.com", "last_name": "Quillfeather"}
PRIVATE_EXERCISE_FIELDS = {
    "name": "Clinic A stair walking",
    "category": "aerobic",
    "regions": ["lumbar"],
    "position": "standing",
    "direction": "neutral",
    "difficulty": 2,
    "phases": ["P1", "P2", "P3", "P4"],
    "steps": ["Hold the rail.", "Walk up one flight steadily.", "Walk down slowly."],
}
NEW_EXERCISE = {
    **PRIVATE_EXERCISE_FIELDS,
    "key": "NEW-PRIVATE",
    "name": "Another private exercise",
    "dosage": {"minutes": 10, "per_day": 1, "days_per_week": 5},
}
SCHEDULE_FORM = {
    "is_enabled": "on",
    "weekdays": ["0", "2", "4"],
    "local_time": "07:30",
    "timezone": "Europe/London",
}
SCHEDULE_JSON = {
    "is_enabled": True,
    "weekdays": [0, 2, 4],
    "local_time": "07:30",
    "timezone": "Europe/London",
    "is_subscribed": True,
}
NEW_PASSWORD = {"password1": "a-long-new-passphrase-42", "password2": "a-long-new-passphrase-42"}
A1_LOGIN = {"username": "a1@example.com", "password": PASSWORD}
CHECK_IN_FORM = {"pain": "3", "feeling": "better", "note": "Easier today.", **CALM_DAY_FORM}
START_BACK_FORM = {
    **{f"start_back_item_{n}": "disagree" for n in range(1, 9)},
    "start_back_item_9": "slightly",
}

# Placeholders in the URLs are filled from the world built below.
# fmt: off
#                                anonymous  A1   A2   phys A  phys B  staff
MATRIX: dict[str, Row] = {
    # --- accounts pages --------------------------------------------------------------------
    "": row("home", "/",
        get(LOGIN, 302, 302, 302, 302, 302)),
    "login/": row("login", "/login/",
        get(200, 302, 302, 302, 302, 302),
        post(302, 302, 302, 302, 302, 302, data=A1_LOGIN)),
    # The guided session's texts in the reader's language (Django's JavaScriptCatalog): public.
    "jsi18n/": row("javascript-catalog", "/jsi18n/",
        get(200, 200, 200, 200, 200, 200)),
    "language/": row("set-language", "/language/",
        get(405, 405, 405, 405, 405, 405),
        post(302, 302, 302, 302, 302, 302, data={"language": "es", "next": "/"})),
    "logout/": row("logout", "/logout/",
        get(405, 405, 405, 405, 405, 405),
        post(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    "password-reset/": row("password_reset", "/password-reset/",
        get(200, 200, 200, 200, 200, 200),
        post(302, 302, 302, 302, 302, 302, data={"email": "a1@example.com"})),
    "password-reset/sent/": row("password_reset_done", "/password-reset/sent/",
        get(200, 200, 200, 200, 200, 200)),
    # A valid link is swapped for a session-held one (Django's PasswordResetConfirmView).
    "password-reset/<uidb64>/<token>/": row(
        "password_reset_confirm", "/password-reset/{reset_uid}/{reset_token}/",
        get(302, 302, 302, 302, 302, 302),
        post(302, 302, 302, 302, 302, 302, data=NEW_PASSWORD)),
    "password-reset/done/": row("password_reset_complete", "/password-reset/done/",
        get(200, 200, 200, 200, 200, 200)),
    "dashboard/": row("dashboard", "/dashboard/",
        get(LOGIN, 404, 404, 200, 200, 404)),
    "patients/new/": row("patient-create", "/patients/new/",
        get(LOGIN, 404, 404, 200, 200, 404),
        post(LOGIN, 404, 404, 302, 302, 404, data=NEW_PATIENT)),
    "patients/<int:pk>/": row("patient-detail", "/patients/{patient}/",
        get(LOGIN, 404, 404, 200, 404, 404)),
    "patients/<int:pk>/edit/": row("patient-edit", "/patients/{patient}/edit/",
        get(LOGIN, 404, 404, 200, 404, 404),
        post(LOGIN, 404, 404, 302, 404, 404, data=PATIENT_CHANGE)),
    "patients/<int:pk>/invitation/": row("patient-reinvite", "/patients/{invited}/invitation/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404)),
    # The signed link is the credential: whoever holds it may set the password, once.
    # Anyone signed in sees their own API sessions; ending one that is not theirs changes
    # nothing and says it has already ended (the same answer as for a token that is gone).
    "account/api-sessions/": row("account-api-sessions", "/account/api-sessions/",
        get(LOGIN, 200, 200, 200, 200, 200)),
    "account/api-sessions/<str:token_key>/end/": row(
        "account-api-session-end", "/account/api-sessions/{a1_token_key}/end/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 302, 302, 302, 302, 302)),
    # Only a clinic's admin edits its settings (no persona here is one: tests/accounts has the
    # admin's own path); the logo is the user's own clinic's (none here has one), the colour
    # stylesheet answers anyone signed in, with the default colour when they have no clinic.
    "clinic/settings/": row("clinic-settings", "/clinic/settings/",
        get(LOGIN, 404, 404, 404, 404, 404),
        post(LOGIN, 404, 404, 404, 404, 404, data={"name": "Taken over"})),
    "clinic/logo/": row("clinic-logo", "/clinic/logo/",
        get(LOGIN, 404, 404, 404, 404, 404)),
    "clinic/style.css": row("clinic-style", "/clinic/style.css",
        get(LOGIN, 200, 200, 200, 200, 200)),
    "invitation/<str:token>/": row("accept-invitation", "/invitation/{invitation_token}/",
        get(200, 200, 200, 200, 200, 200),
        post(302, 302, 302, 302, 302, 302, data=NEW_PASSWORD),
        get(404, 404, 404, 404, 404, 404, url="/invitation/{invitation_token}x/")),
    "me/": row("patient-home", "/me/",
        get(LOGIN, 200, 200, 404, 404, 404)),
    # --- exercises pages -------------------------------------------------------------------
    "exercises/": row("exercise-list", "/exercises/",
        get(LOGIN, 404, 404, 200, 200, 404)),
    "exercises/<str:key>/": row("exercise-detail", "/exercises/{private_exercise}/",
        get(LOGIN, 404, 404, 200, 404, 404)),
    # A drawing is seen by whoever may see the exercise (as the API's detail); only the
    # clinic's physios build or upload one.
    "exercises/drawings/<int:pk>/<int:index>-<str:digest>": row(
        "exercise-drawing", "{private_drawing}",
        get(LOGIN, 200, 404, 200, 404, 200)),
    "exercises/<str:key>/drawing/": row(
        "exercise-drawing-builder", "/exercises/{private_exercise}/drawing/",
        get(LOGIN, 404, 404, 200, 404, 404),
        post(LOGIN, 404, 404, 302, 404, 404, data=DRAWING_CHOICE)),
    "exercises/<str:key>/picture/": row(
        "exercise-picture-upload", "/exercises/{private_exercise}/picture/",
        get(405, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"picture": UploadedPicture()})),
    # --- programs pages --------------------------------------------------------------------
    # Only the patient's physios close a safety concern; with none open the answer says so.
    "patients/<int:patient_pk>/safety/close/": row(
        "safety-close", "/patients/{patient}/safety/close/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"resolution": "Cleared by the GP."})),
    "patients/<int:patient_pk>/assessments/new/": row(
        "assessment-create", "/patients/{patient}/assessments/new/",
        get(LOGIN, 404, 404, 200, 404, 404),
        post(LOGIN, 404, 404, 302, 404, 404, data=intake_form())),
    "patients/<int:patient_pk>/assessments/screen/": row(
        "assessment-screen", "/patients/{patient}/assessments/screen/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 200, 404, 404, data=intake_form())),
    "assessments/<int:pk>/": row("assessment-detail", "/assessments/{amber_assessment}/",
        get(LOGIN, 404, 404, 200, 404, 404)),
    "assessments/<int:pk>/confirm/": row(
        "assessment-confirm", "/assessments/{amber_assessment}/confirm/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"confirmed": "yes", "note": "Checked."})),
    "assessments/<int:assessment_pk>/plan/": row(
        "plan-generate", "/assessments/{plan_assessment}/plan/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404)),
    "plans/<int:pk>/": row("plan-edit", "/plans/{plan}/",
        get(LOGIN, 404, 404, 200, 404, 404)),
    "plans/<int:pk>/publish/": row("plan-publish", "/plans/{plan}/publish/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"confirm_warnings": "true"})),
    "plans/<int:pk>/template/": row("plan-save-template", "/plans/{plan}/template/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"name": "Lumbar starter"})),
    "plans/<int:plan_pk>/phases/<str:phase_code>/": row(
        "phase-update", "/plans/{plan}/phases/P1/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"notes": "Gentle start."})),
    "plans/<int:plan_pk>/phases/<str:phase_code>/items/": row(
        "item-add", "/plans/{plan}/phases/P1/items/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"exercise": "{addable_exercise}"})),
    "plans/<int:plan_pk>/items/<int:item_pk>/": row(
        "item-update", "/plans/{plan}/items/{item}/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404,
             data={"sets": "2", "reps": "8", "notes": "Slowly.", "change_reason": "easing_off"})),
    "plans/<int:plan_pk>/items/<int:item_pk>/remove/": row(
        "item-remove", "/plans/{plan}/items/{item}/remove/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404)),
    "plans/<int:plan_pk>/items/<int:item_pk>/move/": row(
        "item-move", "/plans/{plan}/items/{item}/move/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"direction": "down"})),
    "plans/<int:plan_pk>/items/<int:item_pk>/swap/": row(
        "item-swap", "/plans/{plan}/items/{swap_item}/swap/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data={"to": "{swap_to}"})),
    "plans/<int:plan_pk>/revisions/<int:number>/changes/": row(
        "revision-changes", "/plans/{plan}/revisions/1/changes/",
        get(LOGIN, 404, 404, 200, 404, 404)),
    # --- documents pages -------------------------------------------------------------------
    "plans/<int:plan_pk>/revisions/<int:number>/pdf/": row(
        "document-status", "/plans/{plan}/revisions/1/pdf/",
        get(LOGIN, 200, 404, 200, 404, 404),
        post(LOGIN, 405, 405, 405, 405, 405)),
    "plans/<int:plan_pk>/revisions/<int:number>/pdf/request/": row(
        "document-request", "/plans/{plan}/revisions/1/pdf/request/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 302, 404, 302, 404, 404, data={"large_print": "1"})),
    "documents/<int:pk>/download/": row("document-download", "/documents/{document}/download/",
        get(LOGIN, 200, 404, 200, 404, 404),
        post(405, 405, 405, 405, 405, 405),
        get(200, 200, 200, 200, 200, 200,
            url="/documents/{document}/download/?token={document_token}"),
        get(404, 404, 404, 404, 404, 404,
            url="/documents/{document}/download/?token={document_token}x")),
    # --- reminders pages -------------------------------------------------------------------
    "me/reminders/": row("reminder-settings", "/me/reminders/",
        get(LOGIN, 200, 200, 404, 404, 404),
        post(LOGIN, 302, 302, 404, 404, 404, data=SCHEDULE_FORM)),
    "me/reminders/resubscribe/": row("reminder-resubscribe", "/me/reminders/resubscribe/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 302, 302, 404, 404, 404)),
    "patients/<int:pk>/reminders/": row("reminder-physio-edit", "/patients/{patient}/reminders/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404, data=SCHEDULE_FORM)),
    # RFC 8058: the signed link is the credential; GET only confirms, POST unsubscribes.
    "reminders/unsubscribe/<str:token>/": row(
        "reminder-unsubscribe", "/reminders/unsubscribe/{unsubscribe_token}/",
        get(200, 200, 200, 200, 200, 200),
        post(200, 200, 200, 200, 200, 200),
        post(404, 404, 404, 404, 404, 404, url="/reminders/unsubscribe/{unsubscribe_token}x/")),
    # --- follow-up pages -------------------------------------------------------------------
    # A2 has no published plan: their pages say so, and a check-in has nothing to record.
    "me/plan/": row("my-plan", "/me/plan/",
        get(LOGIN, 200, 200, 404, 404, 404)),
    # The guided session: A2 has nothing to walk through and goes back to Today.
    "me/session/": row("guided-session", "/me/session/",
        get(LOGIN, 200, 302, 404, 404, 404)),
    "me/help/": row("patient-help", "/me/help/",
        get(LOGIN, 200, 200, 404, 404, 404)),
    "me/check-in/": row("check-in", "/me/check-in/",
        get(LOGIN, 200, 200, 404, 404, 404),
        post(LOGIN, 302, 200, 404, 404, 404, data=CHECK_IN_FORM)),
    "me/check-ins/<int:pk>/": row("check-in-result", "/me/check-ins/{check_in}/",
        get(LOGIN, 200, 404, 404, 404, 404)),
    # The signed link of reminder emails checks in for A1, whoever holds it; it shows the
    # names of today's items (A1's plan has clinic A's private exercise) and nothing else.
    "check-in/<str:token>/": row("check-in-link", "/check-in/{check_in_token}/",
        get(200, 200, 200, 200, 200, 200, may_show=PRIVATE_EXERCISE),
        post(200, 200, 200, 200, 200, 200, data=CHECK_IN_FORM, may_show=PRIVATE_EXERCISE),
        get(404, 404, 404, 404, 404, 404, url="/check-in/{check_in_token}x/")),
    # Issue #18: the PSFS re-rating (portal: A1 has one waiting, A2 none; the link: whoever
    # holds it, once) and the physio's progress report.
    "me/activities/": row("function-review", "/me/activities/",
        get(LOGIN, 200, 404, 404, 404, 404),
        post(LOGIN, 200, 404, 404, 404, 404, data={"rating_1": "5"})),
    "activities/<str:token>/": row("function-review-link", "/activities/{function_review_token}/",
        get(200, 200, 200, 200, 200, 200),
        post(200, 200, 200, 200, 200, 200, data={"rating_1": "5"}),
        get(404, 404, 404, 404, 404, 404, url="/activities/{function_review_token}x/")),
    # Clinic A uses STarT Back: each patient answers for themselves; physios have no page.
    "me/start-back/": row("start-back", "/me/start-back/",
        get(LOGIN, 200, 200, 404, 404, 404),
        post(LOGIN, 200, 200, 404, 404, 404, data=START_BACK_FORM)),
    "plans/<int:plan_pk>/progress-report/": row("progress-report", "/plans/{plan}/progress-report/",
        get(LOGIN, 404, 404, 200, 404, 404),
        post(LOGIN, 404, 404, 302, 404, 404, data={"summary": "Improving."})),
    "progress-reports/<int:pk>/download/": row(
        "progress-report-download", "/progress-reports/{progress_report}/download/",
        get(LOGIN, 404, 404, 200, 404, 404)),
    "alerts/<int:pk>/acknowledge/": row("alert-acknowledge", "/alerts/{alert}/acknowledge/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404)),
    "alerts/<int:pk>/approve/": row("alert-approve", "/alerts/{alert}/approve/",
        get(LOGIN, 405, 405, 405, 405, 405),
        post(LOGIN, 404, 404, 302, 404, 404)),
    # --- API: accounts and service endpoints ----------------------------------------------
    "api/v1/auth/token/": row("api-token", "/api/v1/auth/token/",
        get(405, 405, 405, 405, 405, 405),
        post(200, 200, 200, 200, 200, 200,
             data={"email": "physio.b@example.com", "password": PASSWORD})),
    # Each persona ends its own token (the request's): nobody can end another's.
    "api/v1/auth/logout/": row("api-logout", "/api/v1/auth/logout/",
        get(401, 405, 405, 405, 405, 405),
        post(401, 204, 204, 204, 204, 204)),
    "api/v1/auth/logout-all/": row("api-logout-all", "/api/v1/auth/logout-all/",
        get(401, 405, 405, 405, 405, 405),
        post(401, 204, 204, 204, 204, 204)),
    "api/v1/auth/sessions/": row("api-sessions", "/api/v1/auth/sessions/",
        get(401, 200, 200, 200, 200, 200)),
    "api/v1/auth/sessions/<str:token_key>/": row(
        "api-session", "/api/v1/auth/sessions/{a1_token_key}/",
        get(401, 405, 405, 405, 405, 405),
        delete(401, 204, 404, 404, 404, 404)),
    "api/v1/health/": row("api-health", "/api/v1/health/",
        get(200, 200, 200, 200, 200, 200)),
    "api/v1/schema/": row("api-schema", "/api/v1/schema/",
        get(200, 200, 200, 200, 200, 200)),
    "api/v1/docs/": row("api-docs", "/api/v1/docs/",
        get(200, 200, 200, 200, 200, 200)),
    "api/v1/patients/$": row("patient-list", "/api/v1/patients/",
        get(401, 404, 404, 200, 200, 404),
        post(401, 404, 404, 201, 201, 404, data=NEW_PATIENT)),
    r"api/v1/patients\.(?P<format>[a-z0-9]+)/?$": row("patient-list", "/api/v1/patients.json",
        get(401, 404, 404, 200, 200, 404),
        post(401, 404, 404, 201, 201, 404, data=NEW_PATIENT)),
    "api/v1/patients/(?P<pk>[^/.]+)/$": row("patient-detail", "/api/v1/patients/{patient}/",
        get(401, 404, 404, 200, 404, 404),
        put(401, 404, 404, 200, 404, 404, data=PATIENT_CHANGE),
        patch(401, 404, 404, 200, 404, 404, data={"first_name": "Ada"}),
        delete(401, 404, 404, 405, 405, 404)),
    r"api/v1/patients/(?P<pk>[^/.]+)\.(?P<format>[a-z0-9]+)/?$": row(
        "patient-detail", "/api/v1/patients/{patient}.json",
        get(401, 404, 404, 200, 404, 404),
        put(401, 404, 404, 200, 404, 404, data=PATIENT_CHANGE),
        patch(401, 404, 404, 200, 404, 404, data={"first_name": "Ada"})),
    # --- API: exercises --------------------------------------------------------------------
    # A patient reads the exercises of their published plan; staff the whole catalogue.
    "api/v1/exercises/$": row("exercise-list", "/api/v1/exercises/",
        get(401, 200, 200, 200, 200, 200),
        post(401, 404, 404, 201, 201, 404, data=NEW_EXERCISE)),
    r"api/v1/exercises\.(?P<format>[a-z0-9]+)/?$": row("exercise-list", "/api/v1/exercises.json",
        get(401, 200, 200, 200, 200, 200),
        post(401, 404, 404, 201, 201, 404, data=NEW_EXERCISE)),
    "api/v1/exercises/(?P<key>[^/.]+)/$": row(
        "exercise-detail", "/api/v1/exercises/{private_exercise}/",
        get(401, 200, 404, 200, 404, 200),
        put(401, 404, 404, 200, 404, 404, data={**NEW_EXERCISE, "key": "A-CLINIC-1"}),
        patch(401, 404, 404, 200, 404, 404, data={"name": "Clinic A stair walking, slower"}),
        delete(401, 405, 405, 405, 405, 405)),
    r"api/v1/exercises/(?P<key>[^/.]+)\.(?P<format>[a-z0-9]+)/?$": row(
        "exercise-detail", "/api/v1/exercises/{private_exercise}.json",
        get(401, 200, 404, 200, 404, 200),
        put(401, 404, 404, 200, 404, 404, data={**NEW_EXERCISE, "key": "A-CLINIC-1"}),
        patch(401, 404, 404, 200, 404, 404, data={"name": "Clinic A stair walking, slower"})),
    # --- API: programs ---------------------------------------------------------------------
    "api/v1/patients/<int:patient_pk>/safety/": row(
        "api-safety", "/api/v1/patients/{patient}/safety/",
        get(401, 404, 404, 200, 404, 404)),
    "api/v1/patients/<int:patient_pk>/safety/close/": row(
        "api-safety-close", "/api/v1/patients/{patient}/safety/close/",
        get(401, 404, 404, 405, 405, 404),
        post(401, 404, 404, 400, 404, 404, data={"resolution": "Cleared by the GP."})),
    "api/v1/patients/<int:patient_pk>/assessments/": row(
        "api-patient-assessments", "/api/v1/patients/{patient}/assessments/",
        get(401, 404, 404, 200, 404, 404),
        post(401, 404, 404, 201, 404, 404, data=intake_json())),
    "api/v1/assessments/<int:pk>/": row("api-assessment", "/api/v1/assessments/{amber_assessment}/",
        get(401, 404, 404, 200, 404, 404)),
    "api/v1/assessments/<int:pk>/screening/": row(
        "api-assessment-screening", "/api/v1/assessments/{amber_assessment}/screening/",
        get(401, 404, 404, 200, 404, 404)),
    "api/v1/assessments/<int:pk>/confirm/": row(
        "api-assessment-confirm", "/api/v1/assessments/{amber_assessment}/confirm/",
        get(401, 404, 404, 405, 405, 404),
        post(401, 404, 404, 200, 404, 404, data={"note": "Checked."})),
    "api/v1/plans/": row("api-plans", "/api/v1/plans/",
        get(401, 404, 404, 200, 200, 404),
        post(401, 404, 404, 201, 404, 404, data={"assessment": "{plan_assessment}"})),
    "api/v1/plans/<int:pk>/": row("api-plan", "/api/v1/plans/{plan}/",
        get(401, 404, 404, 200, 404, 404)),
    # 409 `nothing_to_publish` for physio A: the world's plan is published and unchanged
    # (reached only past the permission check; others get 404).
    "api/v1/plans/<int:pk>/publish/": row("api-plan-publish", "/api/v1/plans/{plan}/publish/",
        get(401, 404, 404, 405, 405, 404),
        post(401, 404, 404, 409, 404, 404, data={"confirm_warnings": True})),
    "api/v1/plans/<int:pk>/template/": row("api-plan-template", "/api/v1/plans/{plan}/template/",
        get(401, 404, 404, 405, 405, 404),
        post(401, 404, 404, 201, 404, 404, data={"name": "Lumbar starter"})),
    "api/v1/plans/<int:plan_pk>/phases/<str:code>/": row(
        "api-plan-phase", "/api/v1/plans/{plan}/phases/P1/",
        get(401, 404, 404, 405, 405, 404),
        patch(401, 404, 404, 200, 404, 404, data={"notes": "Gentle start."})),
    "api/v1/plans/<int:plan_pk>/items/": row("api-plan-items", "/api/v1/plans/{plan}/items/",
        get(401, 404, 404, 405, 405, 404),
        post(401, 404, 404, 201, 404, 404,
             data={"phase": "P1", "exercise": "{addable_exercise}"})),
    "api/v1/plans/<int:plan_pk>/items/<int:pk>/": row(
        "api-plan-item", "/api/v1/plans/{plan}/items/{item}/",
        get(401, 404, 404, 405, 405, 404),
        patch(401, 404, 404, 200, 404, 404, data={"sets": 2, "change_reason": "easing_off"}),
        delete(401, 404, 404, 204, 404, 404)),
    "api/v1/plans/<int:plan_pk>/items/<int:pk>/swap/": row(
        "api-plan-item-swap", "/api/v1/plans/{plan}/items/{swap_item}/swap/",
        get(401, 404, 404, 405, 405, 404),
        post(401, 404, 404, 200, 404, 404, data={"to": "{swap_to}"})),
    "api/v1/plans/<int:plan_pk>/items/<int:pk>/move/": row(
        "api-plan-item-move", "/api/v1/plans/{plan}/items/{item}/move/",
        get(401, 404, 404, 405, 405, 404),
        post(401, 404, 404, 200, 404, 404, data={"offset": 1})),
    "api/v1/plans/<int:plan_pk>/revisions/": row(
        "api-plan-revisions", "/api/v1/plans/{plan}/revisions/",
        get(401, 200, 404, 200, 404, 404)),
    # Published revisions never change: 409 for those who may see them.
    "api/v1/plans/<int:plan_pk>/revisions/<int:number>/": row(
        "api-plan-revision", "/api/v1/plans/{plan}/revisions/1/",
        get(401, 200, 404, 200, 404, 404),
        put(401, 409, 404, 409, 404, 404, data={"snapshot": {}}),
        patch(401, 409, 404, 409, 404, 404, data={"snapshot": {}}),
        delete(401, 409, 404, 409, 404, 404)),
    "api/v1/plans/<int:plan_pk>/revisions/<int:number>/changes/": row(
        "api-plan-revision-changes", "/api/v1/plans/{plan}/revisions/1/changes/",
        get(401, 200, 404, 200, 404, 404)),
    "api/v1/plan-templates/": row("api-plan-templates", "/api/v1/plan-templates/",
        get(401, 404, 404, 200, 200, 404)),
    "api/v1/me/plan/": row("api-my-plan", "/api/v1/me/plan/",
        get(401, 200, 404, 404, 404, 404)),
    # --- API: documents and reminders ------------------------------------------------------
    "api/v1/plans/<int:plan_id>/revisions/<int:number>/pdf/": row(
        "api-revision-document", "/api/v1/plans/{plan}/revisions/1/pdf/",
        get(401, 200, 404, 200, 404, 404),
        post(401, 202, 404, 202, 404, 404, data={"large_print": True})),
    "api/v1/documents/<int:pk>/download/": row(
        "api-document-download", "/api/v1/documents/{document}/download/",
        get(404, 200, 404, 200, 404, 404),
        get(200, 200, 200, 200, 200, 200,
            url="/api/v1/documents/{document}/download/?token={document_token}"),
        get(404, 404, 404, 404, 404, 404,
            url="/api/v1/documents/{document}/download/?token={document_token}x")),
    "api/v1/me/reminders/": row("api-my-reminders", "/api/v1/me/reminders/",
        get(401, 200, 200, 404, 404, 404),
        put(401, 200, 200, 404, 404, 404, data=SCHEDULE_JSON)),
    # --- API: follow-up---------------------------------------------------------------------
    # 409 `no_plan`: A2 has nothing published to check in against. Pain 4: the world's
    # check-in has pain 3, and the same answers again would be its repeat (200).
    "api/v1/me/check-ins/": row("api-my-check-ins", "/api/v1/me/check-ins/",
        get(401, 200, 200, 404, 404, 404),
        post(401, 201, 409, 404, 404, 404, data={"pain": 4, "feeling": "better", **CALM_DAY_API})),
    # Issue #18: the measures, with the check-ins' access rules.
    "api/v1/measures/": row("api-measure-definitions", "/api/v1/measures/",
        get(401, 200, 200, 200, 200, 200)),
    "api/v1/me/measures/": row("api-my-measures", "/api/v1/me/measures/",
        get(401, 200, 404, 404, 404, 404)),
    "api/v1/me/function-reviews/<int:pk>/": row(
        "api-my-function-review", "/api/v1/me/function-reviews/{function_review}/",
        post(401, 200, 404, 404, 404, 404, data={"ratings": [5]})),
    "api/v1/patients/<int:patient_pk>/measures/": row(
        "api-patient-measures", "/api/v1/patients/{patient}/measures/",
        get(401, 404, 404, 200, 404, 404)),
}
# fmt: on


# --- the world ---------------------------------------------------------------------------


def _build_world() -> SimpleNamespace:
    clinic_a = ClinicFactory(name="Clinic A", is_start_back_enabled=True)
    clinic_b = ClinicFactory(name="Clinic B")
    physio_a = PhysiotherapistFactory(clinic=clinic_a, user__email="physio.a@example.com")
    physio_b = PhysiotherapistFactory(clinic=clinic_b, user__email="physio.b@example.com")
    patient_a1 = PatientFactory(
        physiotherapist=physio_a,
        email="a1@example.com",
        last_name="Quillfeather",
        with_account=True,
    )
    patient_a2 = PatientFactory(physiotherapist=physio_a, email="a2@example.com", with_account=True)
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    # Never logs in during the tests, so their password-reset link stays valid.
    resetting = UserFactory(email="forgetful@example.com")
    load_catalogue()
    private = create_clinic_exercise(
        clinic=clinic_a,
        by=physio_a.user,
        key="A-CLINIC-1",
        minutes=10,
        drawing=drawing_from_library(view="left", start="standing", end="A01:step", props=[]),
        **PRIVATE_EXERCISE_FIELDS,
    )

    def assess(**changes):
        form = AssessmentForm(
            intake_form(**changes), date_of_birth=patient_a1.date_of_birth, today=TODAY
        )
        assert form.is_valid(), form.errors
        return record_assessment(patient=patient_a1, by=physio_a.user, answers=form.answers)

    amber = assess(radiating_pain="buttock_or_thigh", neuro_exam_done="true")
    assert amber.outcome == "amber", amber.outcome
    clear = assess(psfs_activity_1="Gardening", psfs_rating_1="4")
    plan = generate_plan(assessment=clear, by=physio_a.user)
    p1 = plan.phases.get(code="P1")
    add_prescription(phase=p1, exercise=private, by=physio_a.user)
    # The PDF is stored directly: its content does not matter to access, WeasyPrint's time does.
    with mock.patch("documents.tasks.render_program_pdf_task.apply_async_on_commit"):
        revision = publish_plan(plan=plan, by=physio_a.user)
    document = ProgramDocument.objects.get(revision=revision, is_large_print=False)
    name = default_storage.save("programs/matrix.pdf", ContentFile(b"%PDF-1.4\n%matrix\n"))
    ProgramDocument.objects.filter(pk=document.pk).update(
        status=ProgramDocument.Status.READY, file=name, finished_at=timezone.now()
    )
    check_in, _ = record_check_in(patient=patient_a1, source="portal", pain=3, feeling="better")
    # As the PROGRESS rule raises it once the exit criteria are met (followup.services).
    alert = Alert.objects.create(
        patient=patient_a1,
        plan=plan,
        rule_id="PROGRESS",
        severity=Alert.Severity.INFO,
        action=Alert.Action.SUGGESTION,
        physio_message="PROGRESS: exit criteria met. Approve the move to P2?",
        progress_to="P2",
    )
    with mock.patch("followup.tasks.send_function_review_email_task.apply_async_on_commit"):
        review = request_function_review(plan=plan, rule_id="CHK-2W", once_key="plan")
    report = ProgressReport.objects.create(
        plan=plan,
        created_by=physio_a.user,
        status=ProgressReport.Status.READY,
        file=default_storage.save("reports/matrix.pdf", ContentFile(b"%PDF-1.4\n%matrix\n")),
    )
    invited = invite_patient(
        physio=physio_a,
        first_name="Ivy",
        last_name="Invited",
        date_of_birth=datetime.date(1990, 2, 2),
        email="invited@example.com",
    )

    items = list(Prescription.objects.filter(phase=p1).select_related("exercise").order_by("order"))
    swap_item, swap_to = next(
        (item, direction)
        for item in Prescription.objects.filter(phase__plan=plan).select_related("exercise")
        for direction in ("progression", "regression")
        if getattr(item.exercise, direction) is not None
        and not set(getattr(item.exercise, direction).exclude_if)
        & {flag["flag"] for flag in clear.exclusion_flags}
    )
    in_p1 = {item.exercise_id for item in items}
    addable = next(
        exercise
        for exercise in Exercise.objects.filter(clinic=None).order_by("key")
        if "P1" in exercise.phases
        and "lumbar" in exercise.regions
        and exercise.pk not in in_p1
        and not exercise.exclude_if
    )
    users = {
        "anonymous": None,
        "patient_a1": patient_a1.user,
        "patient_a2": patient_a2.user,
        "physio_a": physio_a.user,
        "physio_b": physio_b.user,
        "staff": staff,
    }
    tokens = {
        persona: AuthToken.objects.create(user=user)[1]
        for persona, user in users.items()
        if user is not None
    }
    return SimpleNamespace(
        users=users,
        tokens=tokens,
        placeholders={
            "patient": patient_a1.pk,
            "invited": invited.pk,
            "amber_assessment": amber.pk,
            "plan_assessment": clear.pk,
            "plan": plan.pk,
            "item": items[0].pk,
            "swap_item": swap_item.pk,
            "swap_to": swap_to,
            "addable_exercise": addable.key,
            "private_exercise": private.key,
            "private_drawing": illustration_url(private.pk, illustrations_for(private)[0]),
            "document": document.pk,
            "document_token": download_token(document),
            "check_in": check_in.pk,
            "check_in_token": check_in_token(patient_a1),
            "alert": alert.pk,
            "function_review": review.pk,
            "function_review_token": links.FUNCTION_REVIEW.token({"review": review.pk}),
            "progress_report": report.pk,
            "invitation_token": invitation_token(invited.invitations.get()),
            "a1_token_key": tokens["patient_a1"][: CONSTANTS.TOKEN_KEY_LENGTH],
            "unsubscribe_token": unsubscribe_token(
                ReminderSchedule.objects.get(patient=patient_a1)
            ),
            "reset_uid": urlsafe_base64_encode(force_bytes(resetting.pk)),
            "reset_token": default_token_generator.make_token(resetting),
        },
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    storages = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": None},
        },
    }
    with override_settings(STORAGES=storages):
        try:
            with django_db_blocker.unblock():
                built = _build_world()
            yield built
        finally:
            with django_db_blocker.unblock():
                call_command("flush", interactive=False, verbosity=0)


# --- what a request changed --------------------------------------------------------------


def watched_models() -> list:
    """Every model of the project's own apps (new apps included), and API tokens."""
    project = [config for config in apps.get_app_configs() if "site-packages" not in config.path]
    models = [model for config in project for model in config.get_models()]
    return [*models, AuthToken]


def database_state() -> dict[str, object]:
    """Every watched table's content: on PostgreSQL one digest per table, all in one query
    (the matrix takes a few hundred snapshots); elsewhere the rows themselves. Logging in
    (last_login) is not a change a request made."""
    models = watched_models()
    if connection.vendor != "postgresql":
        state = {}
        for model in models:
            names = [f.attname for f in model._meta.concrete_fields if f.name != "last_login"]
            state[model._meta.label_lower] = list(model.objects.order_by("pk").values(*names))
        return state
    selects = []
    for model in models:
        row = "(to_jsonb(t) - 'last_login')::text"
        table = connection.ops.quote_name(model._meta.db_table)  # our models' own names
        digest = f"md5(coalesce(string_agg({row}, ',' ORDER BY {row}), ''))"
        selects.append(f"SELECT %s, {digest} FROM {table} t")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), [m._meta.label_lower for m in models])
        return dict(cursor.fetchall())


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before if before[label] != after[label])


# --- the tests ---------------------------------------------------------------------------


def _route_of(pattern) -> str:
    route = str(pattern.pattern)
    # Django's ResolverMatch.route drops the leading ^ of regex patterns.
    return route.removeprefix("^")


def leaf_patterns(patterns=None, prefix: str = ""):
    """(route, URLPattern) of every URL pattern, walking includes recursively."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + _route_of(pattern)
        if isinstance(pattern, URLResolver):
            yield from leaf_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def url_patterns():
    """(route, name) of every URL pattern."""
    for route, pattern in leaf_patterns():
        yield route, pattern.name


def routed() -> dict[str, str]:
    return {
        route: name
        for route, name in url_patterns()
        if not any(route.startswith(prefix) for prefix in EXCLUDED)
    }


def test_every_url_pattern_has_a_row():
    patterns = routed()

    missing = [
        f"{route!r} (name {name!r})" for route, name in patterns.items() if route not in MATRIX
    ]
    stale = sorted(set(MATRIX) - set(patterns))
    renamed = [
        f"{route!r}: {MATRIX[route].name!r} in the matrix, {name!r} in the URLconf"
        for route, name in patterns.items()
        if route in MATRIX and MATRIX[route].name != name
    ]

    assert not missing, "URL patterns without an access-matrix row: " + ", ".join(missing)
    assert not stale, f"Access-matrix rows for URL patterns that no longer exist: {stale}"
    assert not renamed, "Access-matrix rows with another URL name: " + "; ".join(renamed)


METHODS = ("get", "post", "put", "patch", "delete")


def api_methods(callback) -> set[str]:
    """The methods a DRF view answers with something other than 405 (HEAD follows GET)."""
    if getattr(callback, "actions", None):  # a viewset bound to a route
        return {method.upper() for method in callback.actions if method in METHODS}
    return {method.upper() for method in METHODS if hasattr(callback.cls, method)}


def test_every_method_an_api_view_answers_has_a_check():
    """Django's form views also accept PUT as POST, so pages list their methods by hand."""
    missing = []
    for route, pattern in leaf_patterns():
        callback = pattern.callback
        view = getattr(callback, "cls", None)
        if route in MATRIX and view is not None and issubclass(view, APIView):
            checked = {check.method for check in MATRIX[route].checks}
            missing += [f"{method} {route}" for method in sorted(api_methods(callback) - checked)]

    assert not missing, "API methods without an access-matrix check: " + ", ".join(missing)


def test_private_media_has_no_route():
    assert not [route for route, _ in url_patterns() if route.startswith("media")]


def _filled(template, values: dict):
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, dict):
        return {key: _filled(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_filled(value, values) for value in template]
    return template


def outcome(response) -> int | str:
    if response.status_code == 302 and urlsplit(response["Location"]).path == reverse("login"):
        return LOGIN
    return response.status_code


def body_of(response) -> str:
    # The test client closes the response itself (reading a streamed one to its end does).
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


class Rollback(Exception):
    pass


def send(client, row: Row, check: Check, world, token: str | None):
    url = _filled(check.url or row.url, world.placeholders)
    data = _filled(check.data, world.placeholders)
    options = {"format": "json"} if row.is_api and data is not None else {}
    if token and row.is_api:
        options["HTTP_AUTHORIZATION"] = f"Token {token}"
    # The login endpoint is throttled per address; the matrix is not a brute-force attempt.
    cache.delete("throttle_login_127.0.0.1")
    return getattr(client, check.method.lower())(url, data, **options)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("route", list(MATRIX))
def test_access(world, db, route, persona):
    row = MATRIX[route]
    column = PERSONAS.index(persona)
    user = world.users[persona]
    client = APIClient()
    if user is not None and not row.is_api:
        client.force_login(user)
    token = world.tokens.get(persona)
    expected, actual, wrote, leaked = {}, {}, {}, {}

    for number, check in enumerate(row.checks):
        label = f"{number} {check.method} {check.url or row.url}"
        resolved = resolve(urlsplit(_filled(check.url or row.url, world.placeholders)).path)
        assert resolved.route == route, f"{label} resolves to {resolved.route!r}, not {route!r}"
        expected[label] = check.expected[column]
        refused_write = check.method != "GET" and check.expected[column] in REFUSED
        before = database_state() if refused_write else None
        try:
            with transaction.atomic():
                response = send(client, row, check, world, token)
                actual[label] = outcome(response)
                body = body_of(response)
                if refused_write:
                    wrote[label] = changed_tables(before, database_state())
                raise Rollback
        except Rollback:
            pass
        hidden = set(MUST_NOT_SEE.get(persona, ())) - set(check.may_show)
        leaked[label] = sorted(text for text in hidden if text in body)

    assert actual == expected
    assert {label: tables for label, tables in wrote.items() if tables} == {}
    assert {label: found for label, found in leaked.items() if found} == {}
