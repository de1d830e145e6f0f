"""``{{ text|localise }}``: a stored English source text in the reader's language."""

from django import template

from clinical.education import SAFETY_NET
from core.i18n import localise as localise_text

register = template.Library()


@register.simple_tag
def safety_net() -> str:
    """The safety-net line every plan, PDF and email carries, in the reader's language."""
    return localise_text(SAFETY_NET)


@register.filter
def localise(text):
    return localise_text(text)
