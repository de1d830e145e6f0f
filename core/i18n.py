"""Texts in the reader's language.

Django's gettext translates what templates and Python code mark. The clinical core and the
catalogue hand out English source texts, and those are what assessments, plans and frozen
revision snapshots store; ``localise`` shows such a stored text in the active language:

- a text that is a catalogue message id is translated as it is;
- a text made from a message with named placeholders (``"Worst pain %(worst)s/10 in 24 h"``)
  is recognised, its values are taken out, localised in turn, and put into the translated
  message;
- a text joined from such messages ("a; b", or sentences) is shown part by part when every
  part is one;
- anything else (what a physiotherapist wrote, a name) is shown as written.
"""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

from django.conf import settings
from django.utils import translation

_PLACEHOLDER = re.compile(r"%\((?P<name>\w+)\)[sd]")
# A message with placeholders is recognised in a stored text only when it has a word of its
# own ("Hidden: %(reasons)s.", "%(reason)s Dosage: %(notes)s."): one made of values and small
# words ("%(days)s at %(time)s (%(zone)s)") would cut any text holding " at " and brackets.
_ANCHOR_WORD = re.compile(r"[^\W\d_]{4,}")


def localise(text: str) -> str:
    """``text`` (an English source text, or anything else) in the active language."""
    if not text or not isinstance(text, str):
        return text
    language = translation.get_language()
    if language is None or is_source_language(language):
        return text
    return _localised(language, text)


def is_source_language(language: str | None) -> bool:
    """Whether ``language`` is English, the language the core, the catalogue and every
    stored text are written in (nothing to translate)."""
    return not language or language.split("-")[0] == "en"


@lru_cache(maxsize=8192)
def _localised(language: str, text: str) -> str:
    translated = translation.gettext(text)
    if translated != text:
        return translated
    for pattern, message in _patterns(language):
        match = pattern.fullmatch(text)
        if match:
            values = {name: localise(value) for name, value in match.groupdict().items()}
            return translation.gettext(message) % values
    return _localise_parts(text)


_SENTENCE_END = re.compile(r"(?<=[.?!]) ")


def _localise_parts(text: str) -> str:
    """A text the core joined from several messages ("a; b", or sentences "A. B."): its parts
    in the active language, but only when every part is a message; otherwise (a physio's own
    words) the text as written."""
    for parts, separator in ((text.split("; "), "; "), (_SENTENCE_END.split(text), " ")):
        if len(parts) < 2:
            continue
        shown = [localise(part) for part in parts]
        if all(new != old for new, old in zip(shown, parts, strict=True)):
            return separator.join(shown)
    return text


def localise_all(texts) -> list[str]:
    return [localise(text) for text in texts]


@lru_cache(maxsize=16)
def _patterns(language: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Our catalogue's messages with named placeholders, as patterns matching their English
    (only our own catalogue: Django's has short patterns such as "%(value)s day")."""
    patterns = []
    for message in _own_messages(language):
        if not isinstance(message, str) or not _PLACEHOLDER.search(message):
            continue
        literal = _PLACEHOLDER.sub(" ", message)
        if not _ANCHOR_WORD.search(literal):
            continue  # too little of its own text to recognise it safely inside another
        parts, position = [], 0
        for found in _PLACEHOLDER.finditer(message):
            parts.append(re.escape(message[position : found.start()]))
            name = found.group("name")
            parts.append(f"(?P<{name}>.+?)" if f"(?P<{name}>" not in "".join(parts) else ".+?")
            position = found.end()
        parts.append(re.escape(message[position:]))
        patterns.append((re.compile("".join(parts), re.DOTALL), message, len(literal)))
    # The most specific first: the message with the most text of its own wins.
    patterns.sort(key=lambda found: -found[2])
    return tuple((pattern, message) for pattern, message, _ in patterns)


def _own_messages(language: str) -> list[str]:
    messages: list[str] = []
    for root in settings.LOCALE_PATHS:
        catalogue = gettext.translation(
            "django", localedir=str(root), languages=[language], fallback=True
        )
        messages += [key for key in getattr(catalogue, "_catalog", {}) if isinstance(key, str)]
    return messages


def reset_cache() -> None:
    """Forget the patterns (after the catalogues were compiled again, in tests)."""
    _patterns.cache_clear()
    _localised.cache_clear()
