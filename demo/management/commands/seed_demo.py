"""Create the demo clinic, physiotherapist and patient (idempotent) and print the logins."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Clinic, Patient, Physiotherapist, User
from clinical.intake import required_red_flag_questions
from exercises.models import Exercise
from followup.services import record_check_in
from programs.intake_form import AssessmentForm
from programs.models import Assessment, Plan
from programs.services import confirm_amber, generate_plan, publish_plan, record_assessment

DEMO_PHYSIO = ("physio@demo.example", "demo-physio-2026")
DEMO_PATIENT = ("patient@demo.example", "demo-patient-2026")
DEMO_ADMIN = ("admin@demo.example", "demo-admin-2026")
# A Spanish-speaking patient: her portal, emails and PDF are in Spanish (issue #17).
DEMO_PATIENT_ES = ("paciente@demo.example", "demo-paciente-2026")


class Command(BaseCommand):
    help = "Create (or refresh) a demo clinic, physiotherapist and patient with known logins."

    @transaction.atomic
    def handle(self, *args, **options):
        clinic, _ = Clinic.objects.update_or_create(
            name="Riverside Physiotherapy (demo)",
            defaults={
                "address": "1 River Street, Exampletown",
                "phone": "01234 567890",
                "email": "hello@riverside.example",
                "emergency_wording": "In an emergency call 999 or go to the nearest emergency "
                "department. For urgent advice call 111.",
                # STarT Back on for the demo (non-commercial demonstration; licence: Keele).
                "is_start_back_enabled": True,
            },
        )
        physio_user = self._user(*DEMO_PHYSIO, full_name="Alex Morgan")
        physio, _ = Physiotherapist.objects.update_or_create(
            user=physio_user, defaults={"clinic": clinic, "is_clinic_admin": True}
        )
        patient_user = self._user(*DEMO_PATIENT, full_name="Sam Taylor")
        patient, _ = Patient.objects.update_or_create(
            user=patient_user,
            defaults={
                "clinic": clinic,
                "physiotherapist": physio,
                "first_name": "Sam",
                "last_name": "Taylor",
                "email": patient_user.email,
                "date_of_birth": datetime.date(1984, 5, 17),
                "timezone": "Europe/London",
            },
        )
        self._user(*DEMO_ADMIN, full_name="Clinic Admin", is_staff=True, is_superuser=True)
        spanish_user = self._user(*DEMO_PATIENT_ES, full_name="Lucía Fernández")
        spanish, _ = Patient.objects.update_or_create(
            user=spanish_user,
            defaults={
                "clinic": clinic,
                "physiotherapist": physio,
                "first_name": "Lucía",
                "last_name": "Fernández",
                "email": spanish_user.email,
                "date_of_birth": datetime.date(1979, 9, 21),
                "timezone": "Europe/Madrid",
                "language": Patient.Language.ES,
            },
        )
        if Exercise.objects.exists():
            second, _ = Patient.objects.update_or_create(
                clinic=clinic,
                email="jordan@demo.example",
                defaults={
                    "physiotherapist": physio,
                    "first_name": "Jordan",
                    "last_name": "Lee",
                    "date_of_birth": datetime.date(1969, 2, 3),
                    "timezone": "Europe/London",
                },
            )
            demo_follow_up(patient, pains=(6, 6, 5, 5, 4, 4, 3))
            demo_follow_up(second, pains=(5, 5, 6, 7, 7, 7, 7), worse=True)
            demo_follow_up(spanish, pains=(7, 6, 6, 5, 4))
        else:
            self.stdout.write("The catalogue is not loaded: no demo plans (run load_catalogue).")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            f"\n  Open {settings.SITE_URL}/\n"
            f"  Physiotherapist: {DEMO_PHYSIO[0]} / {DEMO_PHYSIO[1]}\n"
            f"  Patient:         {DEMO_PATIENT[0]} / {DEMO_PATIENT[1]}\n"
            f"  Patient (Spanish): {DEMO_PATIENT_ES[0]} / {DEMO_PATIENT_ES[1]}\n"
            f"  Admin:           {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}  ({settings.SITE_URL}/admin/)\n"
            f"  Emails are written to {getattr(settings, 'EMAIL_FILE_PATH', 'the SMTP server')}\n"
        )

    def _user(self, email, password, **fields):
        user, _ = User.objects.update_or_create(email=email, defaults=fields)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user


def demo_intake(today: datetime.date) -> dict:
    """A lumbar spasm from a lift two days before the assessment, no red flags."""
    data = {
        "assessment_date": today.isoformat(),
        "pregnancy_status": "not_pregnant",
        "regions": ["lumbar"],
        "primary_region": "lumbar",
        "onset_date": (today - datetime.timedelta(days=2)).isoformat(),
        "onset_type": "sudden_injury",
        "triggers": ["heavy_lift"],
        "previous_episodes": "none",
        "pain_now": "6",
        "pain_worst_24h": "8",
        "irritability": "moderate",
        "aggravating": ["bending_forward"],
        "radiating_pain": "none",
        "paraesthesia": "none",
        "weakness": "none",
        "function_walk_10min": "true",
        "work_status": "working_normally",
        "time_per_day": "20",
        "equipment": ["floor_mat", "pillows", "ice_pack", "heat_pack"],
    }
    for key in required_red_flag_questions(data["regions"]):
        data[f"rf_{key}"] = "no"
    return data


def demo_follow_up(patient: Patient, *, pains: tuple[int, ...], worse: bool = False) -> None:
    """A published plan that started a week ago and a check-in a day since (once per patient)."""

    if Plan.objects.filter(patient=patient).exists():
        return
    physio = patient.physiotherapist
    start = timezone.localdate() - datetime.timedelta(days=len(pains))
    form = AssessmentForm(demo_intake(start), date_of_birth=patient.date_of_birth, today=start)
    if not form.is_valid():
        raise ValueError(f"demo intake is invalid: {form.errors.as_json()}")
    assessment = record_assessment(
        patient=patient, by=physio.user, answers=form.answers, today=start
    )
    if assessment.outcome == Assessment.Outcome.AMBER:
        confirm_amber(
            assessment=assessment, by=physio.user, note="Demo: screen reviewed, 2-week review set."
        )
    plan = generate_plan(assessment=assessment, by=physio.user, today=start)
    revision = publish_plan(plan=plan, by=physio.user)
    now = timezone.now()
    for days_ago, pain in zip(range(len(pains), 0, -1), pains, strict=True):
        at = now - datetime.timedelta(days=days_ago - 1, hours=2)
        done = revision.tickable_keys(timezone.localdate(at))[: 2 if days_ago % 2 else 4]
        record_check_in(
            patient=patient,
            source="portal",
            pain=pain,
            feeling="worse" if worse and pain > 5 else "better",
            items_done=done,
            zone=("red" if worse and pain > 6 else "green") if done else "",
            now=at,
        )
