"""API token authentication: knox's tokens (stored hashed), checked in one query.

knox's own check reads the token with its user, then every other token of that user (to
delete expired ones), and the views then read the user's physiotherapist or patient row:
three queries before a view starts. Here the token comes with its user, physiotherapist and
patient in one query; expired tokens of the user are deleted at the next login
(`services.issue_api_token`) instead of at every request.

Nothing is cached: each request reads the token row, so a logout, a "log out everywhere" or
a password change (which delete the rows) ends a token at once, in every process. A cache
shared by the processes could only be as safe if every way a row is deleted (cascades
included) also cleared it; one query is cheaper than that risk.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions


class TokenAuthentication(auth.TokenAuthentication):
    def authenticate_credentials(self, token: bytes):
        message = _("Invalid token.")
        text = token.decode("utf-8")
        candidates = AuthToken.objects.filter(
            token_key=text[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user", "user__physiotherapist", "user__patient")
        for auth_token in candidates:
            if auth_token.expiry is not None and auth_token.expiry < timezone.now():
                username = auth_token.user.get_username()
                auth_token.delete()
                token_expired.send(sender=self.__class__, username=username, source="auth_token")
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(message) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(message)


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's tokens (`knoxApiToken`), for this class too."""

    target_class = "accounts.authentication.TokenAuthentication"
