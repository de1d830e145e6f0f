"""Email helpers shared by the apps."""

from __future__ import annotations

from email.mime.image import MIMEImage

from django.core.mail import EmailMultiAlternatives


def attach_inline_image(
    message: EmailMultiAlternatives, data: bytes, *, subtype: str, content_id: str, filename: str
) -> None:
    """Attach an image the HTML part shows as `cid:<content_id>`: inside the message, so the
    email needs no image URL, no login and no remote fetch."""
    image = MIMEImage(data, _subtype=subtype)
    image.add_header("Content-ID", f"<{content_id}>")
    image.add_header("Content-Disposition", "inline", filename=filename)
    # Inline parts of one HTML body go in multipart/related (Django's documented attribute).
    message.mixed_subtype = "related"  # type: ignore[attr-defined]  # Django's, not in the stubs
    message.attach(image)
