"""The district's grading coverage deadline: set by its office, read by the dashboards (selectors)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from orgs.models import User
from patrols.governance import office_district
from patrols.models import GradingTarget


@transaction.atomic
def grading_target_set(*, user: User, target_percent: int, deadline: dt.date) -> GradingTarget:
    """Set (or move) the district's target coverage and deadline; only its office may."""
    district = office_district(user)
    if district is None:
        raise PermissionDenied
    target = GradingTarget.objects.select_for_update().filter(district=district).first()
    target = target or GradingTarget(district=district)
    target.target_percent, target.deadline, target.set_by = target_percent, deadline, user
    target.full_clean(exclude=["district", "set_by"], validate_unique=False)
    target.save()
    return target
