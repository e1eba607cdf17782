"""Project-wide REST framework glue."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Services validate with Django's ValidationError; answer it as a 400."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = serializers.ValidationError(detail)
    return drf_exception_handler(exc, context)


# The largest id a row can have (BigAutoField, 64-bit signed). A larger number names no row, and in a
# list of ids (an `__in` lookup) it would overflow the database's integer instead of matching nothing.
ID_MAX = 2**63 - 1


def id_field(**kwargs) -> serializers.IntegerField:
    """A row's id in a request body: a positive integer the database can hold."""
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)
