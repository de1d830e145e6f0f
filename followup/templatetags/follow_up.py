"""Template tags of the follow-up pages (the patient page's panel is built by
`followup.panel`, its data loaded by `followup.selectors.patient_page`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from clinical.follow_up import PainTrend

register = template.Library()

TREND_ARROWS = {"down": "↓", "up": "↑", "same": "→"}


@register.simple_tag
def pain_change(trend: PainTrend) -> str:
    """The change since the check-in before, as an arrow (decoration) and words."""
    if trend.change is None:
        return format_html('<span class="trend muted">{}</span>', "first check-in")
    previous = trend.latest - trend.change
    words = "same as before" if trend.direction == "same" else f"{trend.direction} from {previous}"
    return format_html(
        '<span class="trend trend-{} nowrap"><span aria-hidden="true">{}</span> {}</span>',
        trend.direction,
        TREND_ARROWS[trend.direction],
        words,
    )
