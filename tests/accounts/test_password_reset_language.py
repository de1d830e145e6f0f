"""The password reset email in the language the page was asked in (issue #17)."""

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "phrase"),
    [
        ("es", "Restablezca su contraseña", "Alguien ha pedido restablecer la contraseña"),
        ("en", "Reset your password", "Someone asked to reset the password"),
    ],
)
def test_the_reset_email_follows_the_readers_language(
    client, physio_a, mailoutbox, language, subject, phrase
):
    client.post(
        reverse("password_reset"),
        {"email": physio_a.user.email},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    [message] = mailoutbox
    assert message.subject == subject
    assert phrase in message.body and phrase in message.alternatives[0][0]
