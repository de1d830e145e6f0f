"""`seed_demo` (run by `make run`): logins, and demo plans with check-ins, once."""

import pytest
from django.core.management import call_command

from accounts.models import Patient, User
from followup.models import Alert, CheckIn
from programs.models import Plan

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_logins_plans_and_check_ins_once(catalogue):
    call_command("seed_demo")
    call_command("seed_demo")

    assert User.objects.get(email="physio@demo.example").check_password("demo-physio-2026")
    assert User.objects.get(email="patient@demo.example").check_password("demo-patient-2026")
    sam = Patient.objects.get(email="patient@demo.example")
    jordan = Patient.objects.get(email="jordan@demo.example")
    lucia = Patient.objects.get(email="paciente@demo.example")
    assert lucia.language == "es"
    assert User.objects.get(email="paciente@demo.example").check_password("demo-paciente-2026")
    assert Plan.objects.filter(status="active").count() == 3
    assert [plan.revisions.count() for plan in Plan.objects.all()] == [1, 1, 1]
    assert CheckIn.objects.filter(patient=lucia).count() == 5
    assert CheckIn.objects.filter(patient=sam).count() == 7
    assert CheckIn.objects.filter(patient=jordan).count() == 7
    assert set(Alert.objects.filter(patient=jordan).values_list("rule_id", flat=True)) == {
        "ESC-WORSE"
    }
    assert not Alert.objects.filter(patient=sam, severity__in=["urgent", "emergency"]).exists()


def test_seed_demo_without_a_catalogue_says_so(db, capsys):
    call_command("seed_demo")

    assert "The catalogue is not loaded" in capsys.readouterr().out
    assert not Plan.objects.exists()
