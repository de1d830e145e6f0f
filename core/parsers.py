"""Request parsers for the API (DEFAULT_PARSER_CLASSES).

Its own module: DRF reads its parser setting while `rest_framework.views` is imported, which
`core.api` itself imports.
"""

from rest_framework import exceptions
from rest_framework.parsers import JSONParser as DRFJSONParser


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, answering 400 for JSON nested too deeply for Python's decoder
    (a RecursionError would otherwise be a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
