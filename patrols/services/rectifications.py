"""Rectification of safety risks (整改, §4): opened with an owner and a deadline by severity, evidence
added, followed up (复查) by someone other than the finder, closed only with evidence.

Every step is recorded as a RectificationStep with its time and who took it. The escalation of
overdue rectifications is in patrols.reminders (the beat runs it daily).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Role, User
from patrols.models import (
    Escalation,
    Finding,
    FindingStatus,
    RectificationEvidence,
    RectificationPolicy,
    RectificationStep,
    Severity,
    StepKind,
)
from patrols.photos import read_photo

MAX_EVIDENCE_PHOTOS = 9
NOTE_MAX_LENGTH = 500
# Community staff who may add evidence to a rectification of their community.
EVIDENCE_ROLES = (Role.INSPECTOR, Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER)


def rectification_deadline(*, severity: int, policy: RectificationPolicy, today: dt.date) -> dt.date:
    """The default deadline of a risk of this severity found today, by the district's rules."""
    return today + dt.timedelta(days=policy.days_for(severity))


def severity_of(value: object) -> int:
    """A severity given by a form, the API or a phone; refused with a clear message if it is none."""
    try:
        return Severity(int(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError({"severity": _("Choose the severity of the risk.")}) from None


def rectifications_open(*, user: User | None, findings: Sequence[Finding]) -> None:
    """The opened step of each new rectification (the findings are saved already)."""
    RectificationStep.objects.bulk_create(
        RectificationStep(finding=f, kind=StepKind.OPENED, actor=user, at=f.created_at)
        for f in findings
        if f.is_rectification
    )


def _require_open_rectification(finding: Finding) -> None:
    if not finding.is_rectification:
        raise ValidationError(_("Only a safety risk is rectified."))
    if not finding.is_open:
        raise ValidationError(_("This rectification is closed."))


def _require_community_staff(user: User, finding: Finding, roles: Sequence[str]) -> None:
    if not user.is_active or user.role not in roles or user.org_unit_id != finding.community_id:
        raise PermissionDenied


@transaction.atomic
def rectification_evidence_add(
    *, user: User, finding: Finding, upload, client_id: uuid.UUID | None = None
) -> tuple[RectificationEvidence, bool]:
    """Check, re-encode and store a photo of the risk put right; a photo sent twice is stored once."""
    _require_community_staff(user, finding, EVIDENCE_ROLES)
    if client_id is not None:
        found = RectificationEvidence.objects.filter(client_id=client_id).first()
        if found is not None:
            if found.finding_id != finding.pk:
                raise PermissionDenied
            return found, False
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_open_rectification(finding)
    if finding.evidence.count() >= MAX_EVIDENCE_PHOTOS:
        raise ValidationError(
            {"image": _("A rectification can have at most %(n)d photos.") % {"n": MAX_EVIDENCE_PHOTOS}}
        )
    photo = read_photo(upload)
    evidence = RectificationEvidence(
        client_id=client_id or uuid.uuid4(),
        finding=finding,
        uploaded_by=user,
        taken_at=photo.taken_at,
        latitude=photo.latitude,
        longitude=photo.longitude,
    )
    evidence.image.save("evidence.jpg", photo.content, save=False)
    evidence.save()
    RectificationStep.objects.create(finding=finding, kind=StepKind.EVIDENCE, actor=user, at=timezone.now())
    return evidence, True


def finder_may_follow_up(finding: Finding) -> bool:
    """The finder may confirm their own fix only when the community has no other active inspector."""
    if finding.found_by_id is None:
        return True
    others = (
        User.objects.inspectors().filter(org_unit_id=finding.community_id).exclude(pk=finding.found_by_id)
    )
    return not others.exists()


@transaction.atomic
def rectification_follow_up(*, user: User, finding: Finding, passed: bool, note: str = "") -> Finding:
    """Record the follow-up (复查) of a rectification.

    1. Only an inspector of the finding's community follows up, and not the one who found the
       risk while the community has another inspector; a finder who is the only one may, and
       the step says so.
    2. Passed: closed, but only when a photo shows the risk put right.
    3. Failed: open again with a new deadline by its severity; the escalation starts over.
    """
    _require_community_staff(user, finding, (Role.INSPECTOR,))
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    _require_open_rectification(finding)
    note = note.strip()[:NOTE_MAX_LENGTH]
    by_finder = user.pk == finding.found_by_id
    if by_finder and not finder_may_follow_up(finding):
        raise ValidationError(
            _("The risk was found by you: another inspector of the community must follow it up.")
        )
    now = timezone.now()
    if passed:
        if not finding.evidence.exists():
            raise ValidationError(_("Add a photo showing the risk put right before closing it."))
        RectificationStep.objects.bulk_create(
            [
                RectificationStep(
                    finding=finding, kind=StepKind.PASSED, note=note, actor=user, at=now, by_finder=by_finder
                ),
                RectificationStep(finding=finding, kind=StepKind.CLOSED, actor=user, at=now),
            ]
        )
        finding.status, finding.closed_at = FindingStatus.CLOSED, now
    else:
        RectificationStep.objects.create(
            finding=finding, kind=StepKind.FAILED, note=note, actor=user, at=now, by_finder=by_finder
        )
        finding.rectification_deadline = rectification_deadline(
            severity=finding.severity,
            policy=RectificationPolicy.for_district(finding.community.parent_id),
            today=timezone.localdate(),
        )
        finding.escalation = Escalation.NONE
    finding._history_user = user
    finding.save(update_fields=["status", "closed_at", "rectification_deadline", "escalation"])
    return finding
