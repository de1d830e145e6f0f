"""Template tags of the follow-up pages (the patient page's panel is built by
`followup.panel`, its data loaded by `followup.selectors.patient_page`)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from clinical.follow_up import PainTrend

register = template.Library()

TREND_ARROWS = {"down": "↓", "up": "↑", "same": "→"}


@register.simple_tag
def pain_change(trend: PainTrend) -> str:
    """The change since the check-in before, as an arrow (decoration) and words."""
    if trend.change is None:
        return format_html('<span class="trend muted">{}</span>', _("first check-in"))
    previous = trend.latest - trend.change
    words = {
        "same": _("same as before"),
        "down": _("down from %(previous)s") % {"previous": previous},
        "up": _("up from %(previous)s") % {"previous": previous},
    }[trend.direction]
    return format_html(
        '<span class="trend trend-{} nowrap"><span aria-hidden="true">{}</span> {}</span>',
        trend.direction,
        TREND_ARROWS[trend.direction],
        words,
    )
