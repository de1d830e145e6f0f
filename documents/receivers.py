"""What documents does when programs says something happened (programs/signals.py)."""

from django.dispatch import receiver

from documents.services import request_program_pdf
from programs.signals import plan_published


@receiver(plan_published, dispatch_uid="documents.render_published_plan")
def render_published_plan(*, revision, **_) -> None:
    request_program_pdf(revision=revision)
