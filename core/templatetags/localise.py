"""``{{ text|localise }}``: a stored English source text in the reader's language."""

from django import template

from core.i18n import localise as localise_text

register = template.Library()


@register.filter
def localise(text):
    return localise_text(text)
