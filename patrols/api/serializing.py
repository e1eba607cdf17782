"""Cheaper ModelSerializer machinery, with the same fields and output as DRF's own."""

from __future__ import annotations

import contextlib
import copy
from functools import cached_property
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject, PrimaryKeyRelatedField, RelatedField

# Serializer field classes whose `to_representation` gives back a value of this type unchanged.
RETURNED_AS_IS: dict[type[serializers.Field], type] = {
    serializers.CharField: str,
    serializers.ChoiceField: str,
    serializers.IntegerField: int,
    serializers.BooleanField: bool,
}


class _Converted:
    """The type of no value: the field's `to_representation` always runs."""


# A plan step: the key, the model attribute to read (None: leave the field to DRF), the type
# of value kept as it is (None: any value), and the field.
Step = tuple[str, str | None, type | None, serializers.Field]


# The classes below have comments, not docstrings: the API schema would show a docstring
# as the description of every serializer without one of its own.


# For a ModelSerializer: read model fields straight off the row.
#
# DRF looks every field of every row up through `Field.get_attribute` and converts it
# with `to_representation`; a page of rows does that a thousand times. Here each field
# is planned once per serializer:
# 1. a model field, or a foreign key shown as its id, is read with getattr;
# 2. a value of the type its field would give back unchanged is kept, any other value
#    is converted by the field itself;
# 3. every other field (methods, dotted sources, nested serializers) goes through DRF.
class PlainRowsMixin:
    def to_representation(self, instance: Any) -> dict:
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        row = {}
        for name, attname, kept_type, field in self._plan:
            if attname is None:
                with contextlib.suppress(SkipField):  # DRF leaves such a field out
                    row[name] = _drf_value(field, instance)
                continue
            value = getattr(instance, attname)
            if value is None or kept_type is None or type(value) is kept_type:
                row[name] = value
            else:
                row[name] = field.to_representation(value)
        return row

    @cached_property
    def _plan(self) -> list[Step]:
        model = self.Meta.model
        return [(field.field_name, *_reading(field, model), field) for field in self._readable_fields]


def _reading(field: serializers.Field, model) -> tuple[str | None, type | None]:
    """(model attribute, type kept as it is) for one field, or (None, None) to leave it to DRF."""
    if len(field.source_attrs) != 1:
        return None, None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None, None
    if not model_field.concrete:
        return None, None
    if model_field.many_to_one or model_field.one_to_one:
        # DRF shows the related row's pk, read from the foreign key column without a query.
        return (model_field.attname, None) if _shows_pk(field) else (None, None)
    if isinstance(field, RelatedField):
        return None, None
    return model_field.attname, RETURNED_AS_IS.get(type(field), _Converted)


def _shows_pk(field: serializers.Field) -> bool:
    return (
        isinstance(field, PrimaryKeyRelatedField)
        and field.pk_field is None
        and type(field).to_representation is PrimaryKeyRelatedField.to_representation
        and type(field).get_attribute is RelatedField.get_attribute
        and field.use_pk_only_optimization()
    )


def _drf_value(field: serializers.Field, instance: Any) -> Any:
    """What DRF's Serializer.to_representation gives for one field."""
    attribute = field.get_attribute(instance)
    check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
    return None if check_for_none is None else field.to_representation(attribute)


# For a ModelSerializer: work out its fields from the model once per class, not per instance.
#
# DRF works a ModelSerializer's fields out from the model's again for every serializer
# made. The fields built depend on the class alone (a subclass whose fields depend on the
# request must not use this); each instance gets a deep copy, as DRF already gives it of
# the declared fields.
class FieldsOnceMixin:
    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        if "_built_fields" not in cls.__dict__:
            cls._built_fields = super().get_fields()
        return copy.deepcopy(cls._built_fields)


# A ModelSerializer that builds its fields once and reads plain rows cheaply.
class LeanModelSerializer(PlainRowsMixin, FieldsOnceMixin, serializers.ModelSerializer):
    pass
