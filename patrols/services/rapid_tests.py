"""Recording rapid tests (快筛快检) on a visit or in a district's rapid-test room.

A positive result opens what follows it up in the same step, or nothing is saved:
- on a visit, a finding of that visit (a safety risk to rectify, or a suspected violation that goes
  to the district as a lead), made by the visit's own rules (services.records);
- in the room, a lead of the district office about the establishment the sample came from, unless
  the test is linked to a finding already recorded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, User
from patrols.models import (
    RAPID_TEST_VALUE_MAX,
    Establishment,
    Finding,
    FindingCategory,
    FindingKind,
    LeadSource,
    RapidTest,
    RapidTestMethod,
    RapidTestResult,
    Severity,
    Visit,
)
from patrols.models.rapid_tests import (
    ITEM_MAX_LENGTH,
    SAMPLE_MAX_LENGTH,
    SAMPLE_SOURCE_MAX_LENGTH,
    UNIT_MAX_LENGTH,
)
from patrols.photos import read_photo
from patrols.services.leads import DISTRICT_ROLES, lead_report
from patrols.services.records import (
    VISIT_DAYS_AFTER_RECORD,
    FindingInput,
    require_visit_open,
    visit_findings_add,
)


@dataclass
class RapidTestInput:
    tested_at: dt.datetime
    sample: str
    item: str
    method: str
    result: str
    value: Decimal | None = None
    value_unit: str = ""
    photo: object | None = None  # an uploaded file
    # What a positive result on a visit opens: a safety risk by default, of this severity.
    finding_kind: str = FindingKind.SAFETY_RISK
    severity: int = Severity.MAJOR


def may_record_in_room(user: User, district: OrgUnit) -> bool:
    """The district office's staff keep its test room's records."""
    return user.is_active and user.role in DISTRICT_ROLES and user.org_unit_id == district.pk


def _text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError({field: _("Enter at most %(n)d characters.") % {"n": max_length}})
    return value


def _value(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or not 0 <= number <= RAPID_TEST_VALUE_MAX:
        raise ValidationError(
            {"value": _("Enter a value from 0 to %(max)s.") % {"max": RAPID_TEST_VALUE_MAX}}
        )
    return number.quantize(Decimal("0.001"))


def _checked(data: RapidTestInput, *, unit: OrgUnit) -> dict:
    """The columns of a test from what was entered, each within its bounds."""
    if data.method not in RapidTestMethod.values:
        raise ValidationError({"method": _("Choose the method.")})
    if data.result not in RapidTestResult.values:
        raise ValidationError({"result": _("Choose the result.")})
    if data.tested_at is None:
        raise ValidationError({"tested_at": _("This field is required.")})
    bounds.check_event(data.tested_at, unit=unit, field="tested_at")
    return {
        "tested_at": data.tested_at,
        "sample": _text(data.sample, field="sample", max_length=SAMPLE_MAX_LENGTH),
        "item": _text(data.item, field="item", max_length=ITEM_MAX_LENGTH),
        "method": data.method,
        "result": data.result,
        "value": _value(data.value),
        "value_unit": _text(data.value_unit, field="value_unit", max_length=UNIT_MAX_LENGTH, required=False),
    }


def _attach_photo(test: RapidTest, upload) -> None:
    if not upload:
        return
    try:
        photo = read_photo(upload)
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from None
    test.photo.save("photo.jpg", photo.content, save=False)


def positive_description(test: RapidTest) -> str:
    """What the finding or lead a positive result opens says."""
    text = _("Rapid test positive: %(sample)s, %(item)s (%(method)s)") % {
        "sample": test.sample,
        "item": test.item,
        "method": test.get_method_display(),
    }
    if test.value is not None:
        text += f" {test.value.normalize():f} {test.value_unit}".rstrip()
    return text


@transaction.atomic
def rapid_test_on_visit(*, user: User, visit: Visit, data: RapidTestInput) -> RapidTest:
    """Record a test made at a visit; a positive one opens a finding of the visit with it."""
    visit = Visit.objects.select_related("patrol", "establishment__community").get(pk=visit.pk)
    require_visit_open(user, visit)
    columns = _checked(data, unit=visit.establishment.community)
    # A test at a visit is made on the visit's day (or the night after, 夜查), as the visit itself.
    days = (timezone.localdate(columns["tested_at"]) - visit.patrol.date).days
    if not 0 <= days <= VISIT_DAYS_AFTER_RECORD:
        raise ValidationError(
            {
                "tested_at": _("A test at a visit is made on its patrol record's day (%(day)s).")
                % {"day": f"{visit.patrol.date:%Y-%m-%d}"}
            }
        )
    test = RapidTest(
        visit=visit,
        community_id=visit.patrol.community_id,
        establishment=visit.establishment,
        tested_by=user,
        **columns,
    )
    _attach_photo(test, data.photo)
    test.save()
    if test.is_positive:
        kind = data.finding_kind if data.finding_kind in FindingKind.values else ""
        (test.finding,) = visit_findings_add(
            user=user,
            visit=visit,
            items=[
                FindingInput(
                    kind=kind,
                    category=FindingCategory.OTHER,
                    description=positive_description(test),
                    severity=data.severity,
                )
            ],
        )
        test.save(update_fields=["finding"])
    return test


@transaction.atomic
def rapid_test_in_room(
    *,
    user: User,
    district: OrgUnit | None,
    data: RapidTestInput,
    establishment: Establishment | None = None,
    sample_source: str = "",
    finding: Finding | None = None,
) -> RapidTest:
    """Record a test made in the district's rapid-test room.

    A positive result opens a lead of the district office about the establishment the sample came
    from, unless the test is linked to a finding already recorded in the district.
    """
    if district is None or district.kind != OrgUnitKind.DISTRICT or not may_record_in_room(user, district):
        raise PermissionDenied
    columns = _checked(data, unit=district)
    if establishment is not None and establishment.community.parent_id != district.pk:
        raise ValidationError({"establishment": _("This establishment is not in the district.")})
    if finding is not None:
        if finding.community.parent_id != district.pk:
            raise ValidationError({"finding": _("This finding is not in the district.")})
        if data.result != RapidTestResult.POSITIVE:
            raise ValidationError({"finding": _("Only a positive result is linked to a finding.")})
    if data.result == RapidTestResult.POSITIVE and finding is None and establishment is None:
        raise ValidationError(
            {
                "establishment": _(
                    "A positive result is followed up: name the establishment the sample came from, "
                    "or link the finding it belongs to."
                )
            }
        )
    test = RapidTest(
        district=district,
        establishment=establishment,
        sample_source=_text(
            sample_source, field="sample_source", max_length=SAMPLE_SOURCE_MAX_LENGTH, required=False
        ),
        finding=finding,
        tested_by=user,
        **columns,
    )
    _attach_photo(test, data.photo)
    test.save()
    if test.is_positive and finding is None:
        test.lead = lead_report(
            community=establishment.community,
            establishment=establishment,
            description=positive_description(test),
            source=LeadSource.DISTRICT,
            reporter=user,
        )
        test.save(update_fields=["lead"])
    return test
