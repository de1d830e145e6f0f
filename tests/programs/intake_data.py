"""Valid intake form data for tests, from the planner's own question list.

Dates are relative to the suite's today: assessed yesterday, onset the day before.
"""

from clinical.intake import required_red_flag_questions
from tests.clock import DAY, suite_today

BASE_FORM = {
    "assessment_date": (suite_today() - DAY).isoformat(),
    "pregnancy_status": "not_pregnant",
    "regions": ["lumbar"],
    "primary_region": "lumbar",
    "onset_date": (suite_today() - 2 * DAY).isoformat(),
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


def intake_form_data(**changes) -> dict:
    data = {**BASE_FORM, **changes}
    for key in required_red_flag_questions(data["regions"]):
        data.setdefault(f"rf_{key}", "no")
    return data
