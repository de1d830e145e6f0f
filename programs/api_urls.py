"""API routes of the programs app (included under /api/v1/ by config/urls.py)."""

urlpatterns: list = []
