"""`{% delivery_failures physio %}`: the dashboard's box of reminders that could not be sent."""

from django import template

from reminders.selectors import delivery_failures as failures_of

register = template.Library()


@register.inclusion_tag("followup/_delivery_failures.html")
def delivery_failures(physio) -> dict:
    return {"failures": failures_of(clinic_id=physio.clinic_id)}
