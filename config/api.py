"""Project-wide REST framework glue."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from rest_framework import serializers
from rest_framework.views import exception_handler as drf_exception_handler

from config import bounds

# A list of ids in one request (approve many, mark read): more than a page of records is a mistake.
MAX_IDS = 1000


def exception_handler(exc, context):
    """Services validate with Django's ValidationError; answer it as a 400."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = serializers.ValidationError(detail)
    return drf_exception_handler(exc, context)


class BoundedDateTimeField(serializers.DateTimeField):
    """REST framework's DateTimeField, answering a time it cannot place in the local zone (year 1, or
    9999-12-31 at -12:00) with the bounds' 400 instead of an OverflowError. The model fields'
    validators (config.bounds) then hold every other time to its range."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            error = bounds.out_of_range(bounds.EARLIEST_DAY, bounds.latest_day())
            raise serializers.ValidationError(error.messages) from None


def bound_model_serializer_times() -> None:
    """Every ModelSerializer reads a model's DateTimeField through BoundedDateTimeField.

    Called once at start-up (orgs.apps), so that no serializer of any app can miss it.
    """
    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = BoundedDateTimeField


class IdField(serializers.IntegerField):
    """A record's id in a request body: a whole number within the keys' range (config.bounds)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=bounds.ID_MIN, max_value=bounds.ID_MAX, **kwargs)


def id_list_field(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=IdField(), max_length=MAX_IDS, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """?unit=12: a whole number within the keys' range, else a 400 (never a float or a 40-digit number)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("min_value", bounds.ID_MIN)
        kwargs.setdefault("max_value", bounds.ID_MAX)
        super().__init__(*args, **kwargs)


class YearFilter(django_filters.NumberFilter):
    """?year=2026: from the first year the product accepts to next year."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault(
            "validators",
            [
                MinValueValidator(bounds.EARLIEST_DAY.year),
                MaxValueValidator(lambda: bounds.latest_day().year),
            ],
        )
        super().__init__(*args, **kwargs)


def id_field(**kwargs) -> serializers.IntegerField:
    """A row's id in a request body (IdField, within the keys' range)."""
    return IdField(**kwargs)
