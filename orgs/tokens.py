"""API tokens (django-rest-knox): they expire, their owner lists and revokes them, and logging out
revokes them. Only a hash of each token is stored; the token itself is shown once, when made.

The web app and the installable field app use the session, not tokens; tokens are for
other programs that read or write through the API on a user's behalf.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from orgs.models import User


def api_tokens_of(user: User):
    """The user's tokens that still work, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def api_token_create(*, user: User) -> tuple[AuthToken, str]:
    """A new token for the user, valid for settings.REST_KNOX["TOKEN_TTL"]; at most API_TOKENS_PER_USER."""
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    if AuthToken.objects.select_for_update().filter(user=user).count() >= settings.API_TOKENS_PER_USER:
        raise ValidationError(
            _("You already have %(count)d API tokens; revoke one first.")
            % {"count": settings.API_TOKENS_PER_USER}
        )
    return AuthToken.objects.create(user=user)


def api_token_revoke(*, user: User, token_key: str) -> int:
    """Revoke one of the user's own tokens; another user's key revokes nothing."""
    deleted, _rows = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    return deleted


def api_tokens_revoke_all(*, user: User) -> int:
    """Every token of the user: at logout, from the web or the API."""
    deleted, _rows = AuthToken.objects.filter(user=user).delete()
    return deleted
