"""Conventions every app shares, below all of them: the API error shape, throttles,
the client address, parsers, signed links and the base Celery task. Imports no app."""
