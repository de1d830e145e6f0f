"""Pages of the follow-up: the patient portal (patient.py) and the physio's side (physio.py)."""

from followup.views.patient import (
    check_in,
    check_in_link,
    check_in_result,
    my_plan,
    patient_help,
    session,
    today,
)
from followup.views.physio import alert_acknowledge, alert_approve, dashboard, patient_detail

__all__ = [
    "alert_acknowledge",
    "alert_approve",
    "check_in",
    "check_in_link",
    "check_in_result",
    "dashboard",
    "my_plan",
    "patient_detail",
    "patient_help",
    "session",
    "today",
]
