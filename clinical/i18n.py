"""Marks the clinical core's texts for translation; the core itself always speaks English.

``_("...")`` returns its argument unchanged: it only tells ``make messages`` (xgettext) that the
text goes into the translation catalogue (``locale/<lang>/LC_MESSAGES/django.po``). The core
stays free of Django and of any notion of a current language: it hands out English source
texts, the same ones that are stored in assessments, plans and revision snapshots, and the
screen, the email or the PDF shows them in the reader's language with
``core.i18n.localise`` (the ``|localise`` template filter).

A text with values in it keeps named placeholders so that the whole sentence can be
translated and the values found again in a stored text::

    _("Worst pain %(worst)s/10 in 24 h") % {"worst": 8}

Rules for marked texts: named placeholders only (``%(name)s``), never f-strings or
concatenation of marked pieces into one sentence; no plural forms (write the sentence so that
it reads for any number, e.g. "sessions: 3"); a rule id stays outside the text or is passed as
a placeholder, so that it is never translated.
"""

from __future__ import annotations


def _(text: str) -> str:
    """Mark ``text`` (an English source text) for the translation catalogue; return it."""
    return text


def join_reasons(parts) -> str:
    """``"; ".join(parts)``: a list of marked texts in one sentence. ``localise`` translates
    such a text part by part (when every part is a marked message)."""
    return "; ".join(parts)
