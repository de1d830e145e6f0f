"""``makemessages`` without fuzzy matching: a new text gets an empty translation to fill, never
a guess copied from a similar entry (a fuzzy guess in a safety text is worse than none)."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
