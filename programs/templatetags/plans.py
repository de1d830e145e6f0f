from django import template

from programs.intake_form import answer_in_words

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])


@register.filter
def answer_words(pair) -> str:
    """A fired rule's (field, value) pair in words: the question or label, and the answer."""
    return answer_in_words(pair[0], pair[1])
