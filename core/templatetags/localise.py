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


@register.filter
def localise_each(texts):
    """Each stored text of a list in the active language (e.g. before ``|join``)."""
    return [localise_text(text) for text in texts or []]
