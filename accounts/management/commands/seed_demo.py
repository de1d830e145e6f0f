"""Create the demo clinic, physiotherapist and patient (idempotent) and print the logins."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Clinic, Patient, Physiotherapist, User

DEMO_PHYSIO = ("physio@demo.example", "demo-physio-2026")
DEMO_PATIENT = ("patient@demo.example", "demo-patient-2026")
DEMO_ADMIN = ("admin@demo.example", "demo-admin-2026")


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
            },
        )
        physio_user = self._user(*DEMO_PHYSIO, full_name="Alex Morgan")
        physio, _ = Physiotherapist.objects.update_or_create(
            user=physio_user, defaults={"clinic": clinic}
        )
        patient_user = self._user(*DEMO_PATIENT, full_name="Sam Taylor")
        Patient.objects.update_or_create(
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
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(
            f"\n  Open {settings.SITE_URL}/\n"
            f"  Physiotherapist: {DEMO_PHYSIO[0]} / {DEMO_PHYSIO[1]}\n"
            f"  Patient:         {DEMO_PATIENT[0]} / {DEMO_PATIENT[1]}\n"
            f"  Admin:           {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}  ({settings.SITE_URL}/admin/)\n"
            f"  Emails are written to {getattr(settings, 'EMAIL_FILE_PATH', 'the SMTP server')}\n"
        )

    def _user(self, email, password, **fields):
        user, _ = User.objects.update_or_create(email=email, defaults=fields)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user
