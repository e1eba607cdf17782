"""Write operations on patrol records: start, visit, photograph, submit, review, amend.

Each operation that a phone may send twice takes the id the phone made
(`client_id`) and returns `(record, created)`: a resent record is stored once.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from config import bounds
from notifications.services import notify
from orgs.models import MIN_TEAM_SIZE, OrgUnitKind, Role, User
from patrols.models import (
    DEPARTMENTS_MAX_LENGTH,
    REFUSAL_REASON_MAX_LENGTH,
    SIGNER_NAME_MAX_LENGTH,
    Amendment,
    ChecklistTemplate,
    Establishment,
    Finding,
    FindingKind,
    FindingStatus,
    LeadSource,
    Patrol,
    PatrolKind,
    PatrolMember,
    PatrolStatus,
    Photo,
    RectificationPolicy,
    Severity,
    SpecialCampaign,
    Status,
    Visit,
    VisitResult,
)
from patrols.photos import read_photo, read_signature
from patrols.services.leads import lead_report
from patrols.services.rectifications import (
    rectification_deadline,
    rectification_follow_up,
    rectifications_open,
    severity_of,
)
from reporting.models import period_locked

MAX_PHOTOS_PER_VISIT = 9
REVIEWER_ROLES = (Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER)


def checklists_for_district(district_id: int | None) -> dict[str, list[str]]:
    """Category → checklist items: the district's own version where it has one."""
    rows = ChecklistTemplate.objects.filter(Q(district_id=district_id) | Q(district__isnull=True))
    lists: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: r.district_id is not None):
        lists[row.category] = row.items
    return lists


def checklist_for(patrol: Patrol | None, establishment: Establishment) -> list[str]:
    """The checks of a visit: the category's list of the district, then the checks of the record's
    special campaign, if it has its own."""
    items = list(checklists_for_district(establishment.community.parent_id).get(establishment.category, []))
    if patrol is not None and patrol.campaign_id is not None:
        items += [item for item in patrol.campaign.checklist_items if item not in items]
    return items


def _existing(model, client_id: uuid.UUID | None, user: User):
    """The record a phone already sent with this id, if the user may see it."""
    if client_id is None:
        return None
    found = model.objects.filter(client_id=client_id).first()
    if found is not None and not model.objects.visible_to(user).filter(pk=found.pk).exists():
        raise PermissionDenied
    return found


def _require_editable(patrol: Patrol) -> None:
    if not patrol.is_editable:
        raise ValidationError(
            _("This record is %(status)s and can no longer be changed.")
            % {"status": patrol.get_status_display()}
        )


def _require_month_open(community_id: int, day: dt.date) -> None:
    """A record cannot be started, dated or added to in a month whose report is locked, except under
    the logged exception that reopens it: the month's figures are closed."""
    if period_locked(unit_id=community_id, kind=OrgUnitKind.COMMUNITY, period=day.replace(day=1)):
        raise ValidationError(
            {
                "date": _(
                    "The report for %(month)s is locked: its deadline has passed. Ask the district "
                    "to reopen the period before recording patrols in it."
                )
                % {"month": f"{day:%Y-%m}"}
            }
        )


# A visit belongs to its record's day; a night patrol (夜查) may run past midnight into the next.
VISIT_DAYS_AFTER_RECORD = 1


def is_team_member(user: User, patrol: Patrol) -> bool:
    return user.pk == patrol.created_by_id or patrol.members.filter(inspector=user).exists()


def _require_team_member(user: User, patrol: Patrol) -> None:
    if not is_team_member(user, patrol):
        raise PermissionDenied


@transaction.atomic
def patrol_start(
    *,
    user: User,
    team: Sequence[User],
    date: dt.date | None = None,
    notes: str = "",
    client_id: uuid.UUID | None = None,
    kind: str = PatrolKind.DAILY,
    campaign: SpecialCampaign | None = None,
    joint_departments: str = "",
) -> tuple[Patrol, bool]:
    """Start the day's patrol record of a kind for the user's community with a team of 2+ inspectors.

    A community keeps one record a day of each kind (a daily patrol and a night check are two):
    starting a day and kind already started answers with that record (created False), the new
    team-mates joining it.
    """
    if (found := _existing(Patrol, client_id, user)) is not None:
        return found, False
    if user.role != Role.INSPECTOR:
        raise PermissionDenied
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise ValidationError({"date": _("A patrol cannot be logged for a future day.")})
    bounds.check_event(date, unit=user.org_unit, field="date")
    campaign, joint_departments = _kind_details(user, date, kind, campaign, joint_departments)
    members = {u.pk: u for u in [user, *team]}.values()
    errors = []
    if len(members) < MIN_TEAM_SIZE:
        errors.append(_("A patrol team needs at least %(min)d inspectors.") % {"min": MIN_TEAM_SIZE})
    for member in members:
        if member.role != Role.INSPECTOR or member.org_unit_id != user.org_unit_id or not member.is_active:
            errors.append(_("%(name)s is not an inspector of this community.") % {"name": member})
        elif not member.certificate_no:
            errors.append(_("%(name)s has no inspector certificate number.") % {"name": member})
    if errors:
        raise ValidationError({"team": errors})
    if (today_record := _day_record(user.org_unit_id, date, kind)) is not None:
        return _patrol_join(today_record, members), False
    _require_month_open(user.org_unit_id, date)
    try:
        # A savepoint: a team-mate starting the same day a moment earlier is answered with their record.
        with transaction.atomic():
            patrol = Patrol.objects.create(
                client_id=client_id or uuid.uuid4(),
                community_id=user.org_unit_id,
                date=date,
                kind=kind,
                campaign=campaign,
                joint_departments=joint_departments,
                notes=notes,
                created_by=user,
            )
    except IntegrityError:
        if (today_record := _day_record(user.org_unit_id, date, kind)) is None:
            raise
        return _patrol_join(today_record, members), False
    PatrolMember.objects.bulk_create(
        PatrolMember(patrol=patrol, inspector=m, certificate_no=m.certificate_no) for m in members
    )
    return patrol, True


def _day_record(community_id: int, date: dt.date, kind: str) -> Patrol | None:
    """A community keeps one patrol record a day of each kind (SPEC §4): the one already started."""
    return Patrol.objects.select_for_update().filter(community_id=community_id, date=date, kind=kind).first()


def _kind_details(
    user: User, date: dt.date, kind: str, campaign: SpecialCampaign | None, departments: str
) -> tuple[SpecialCampaign | None, str]:
    """What a record of `kind` names besides: a campaign of the user's district running on `date`
    for a campaign record, the departments taking part for a joint check; nothing for the others."""
    if kind not in PatrolKind.values:
        raise ValidationError({"kind": _("Choose the kind of patrol.")})
    if kind != PatrolKind.CAMPAIGN:
        campaign = None
    elif campaign is None:
        raise ValidationError({"campaign": _("Name the special campaign this check belongs to.")})
    elif campaign.district_id != user.org_unit.parent_id:
        raise ValidationError({"campaign": _("This special campaign is not one of your district's.")})
    elif not campaign.holds(date):
        raise ValidationError(
            {
                "campaign": _("The campaign %(name)s runs from %(first)s to %(last)s; %(day)s is outside it.")
                % {"name": campaign.name, "first": campaign.starts_on, "last": campaign.ends_on, "day": date}
            }
        )
    departments = " ".join(departments.split()) if kind == PatrolKind.JOINT else ""
    if kind == PatrolKind.JOINT and not departments:
        raise ValidationError(
            {"joint_departments": _("Name the departments taking part in the joint check.")}
        )
    if len(departments) > DEPARTMENTS_MAX_LENGTH:
        raise ValidationError(
            {
                "joint_departments": _("Keep the departments under %(max)d characters.")
                % {"max": DEPARTMENTS_MAX_LENGTH}
            }
        )
    return campaign, departments


def _patrol_join(patrol: Patrol, members: Iterable[User]) -> Patrol:
    """Whoever starts a day already started joins its record, while it can still be changed."""
    if patrol.is_editable:
        on_team = set(patrol.members.values_list("inspector_id", flat=True))
        PatrolMember.objects.bulk_create(
            PatrolMember(patrol=patrol, inspector=m, certificate_no=m.certificate_no)
            for m in members
            if m.pk not in on_team
        )
    return patrol


@dataclass(frozen=True)
class Position:
    """Where the phone was when the visit was saved, as the browser's Geolocation API gave it."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: Decimal

    @classmethod
    def from_parts(cls, latitude, longitude, accuracy_m) -> Position | None:
        """A position from its three parts: all of them, or none (the inspector declined)."""
        parts = (latitude, longitude, accuracy_m)
        if all(part is None for part in parts):
            return None
        if any(part is None for part in parts):
            raise ValidationError(
                {"position": _("A position needs its latitude, longitude and accuracy together.")}
            )
        position = cls(*(Decimal(part) for part in parts))
        position.check()
        return position

    def check(self) -> None:
        parts = (self.latitude, self.longitude, self.accuracy_m)
        if not (
            all(part.is_finite() for part in parts)
            and abs(self.latitude) <= bounds.LATITUDE_MAX
            and abs(self.longitude) <= bounds.LONGITUDE_MAX
            and 0 <= self.accuracy_m <= bounds.ACCURACY_MAX_METRES
        ):
            raise ValidationError(
                {
                    "position": _(
                        "The position is out of range: latitude −90 to 90, longitude −180 to 180, "
                        "accuracy 0 to %(max)d metres."
                    )
                    % {"max": bounds.ACCURACY_MAX_METRES}
                }
            )


def _position_columns(position: Position | None) -> dict:
    if position is None:
        return {}
    position.check()
    return {
        "latitude": position.latitude.quantize(Decimal("0.000001")),
        "longitude": position.longitude.quantize(Decimal("0.000001")),
        "accuracy_m": position.accuracy_m.quantize(Decimal("0.1")),
    }


@dataclass
class FindingInput:
    kind: str
    category: str
    description: str
    rectification_deadline: dt.date | None = None
    # 隐患分级: sets the default deadline (patrols.models.SEVERITY_DAYS, or the district's rules).
    severity: int = Severity.MINOR


def _clean_checklist(rows: Iterable[dict], allowed: list[str]) -> list[dict]:
    cleaned = []
    for row in rows:
        item = str(row.get("item", "")).strip()
        if item not in allowed:
            raise ValidationError({"checklist": _("“%(item)s” is not on this checklist.") % {"item": item}})
        ok = row.get("ok")
        cleaned.append(
            {"item": item, "ok": ok if ok in (True, False) else None, "note": str(row.get("note", ""))}
        )
    return cleaned


def visit_record(
    *,
    user: User,
    patrol: Patrol,
    establishment: Establishment,
    result: str,
    checklist: Iterable[dict] = (),
    findings: str = "",
    action_taken: str = "",
    finding_items: Sequence[FindingInput] = (),
    follow_up_of: Finding | None = None,
    rectified: bool | None = None,
    visited_at: dt.datetime | None = None,
    client_id: uuid.UUID | None = None,
    position: Position | None = None,
) -> tuple[Visit, bool]:
    """Record one visit on a patrol; a visit the phone sent before is answered with the stored one.

    Phones seldom resend, so the new visit is tried first: only when it is
    refused (a resent one always is, its client_id being taken) is the
    stored one looked for.
    """
    try:
        visit = _visit_create(
            user=user,
            patrol=patrol,
            establishment=establishment,
            result=result,
            checklist=checklist,
            findings=findings,
            action_taken=action_taken,
            finding_items=finding_items,
            follow_up_of=follow_up_of,
            rectified=rectified,
            visited_at=visited_at,
            client_id=client_id,
            position=position,
        )
    except (ValidationError, PermissionDenied):
        if (found := _existing(Visit, client_id, user)) is not None:
            return found, False
        raise
    return visit, True


@transaction.atomic
def _visit_create(
    *,
    user: User,
    patrol: Patrol,
    establishment: Establishment,
    result: str,
    checklist: Iterable[dict],
    findings: str,
    action_taken: str,
    finding_items: Sequence[FindingInput],
    follow_up_of: Finding | None,
    rectified: bool | None,
    visited_at: dt.datetime | None,
    client_id: uuid.UUID | None,
    position: Position | None,
) -> Visit:
    """Record a new visit.

    1. A safety risk gets a rectification deadline; a suspected violation is
       reported to the district at once as a lead.
    2. A follow-up visit (回头看) closes its finding when rectified, or
       re-opens it with a new deadline when not.
    3. The establishment's last visit, and so its next due date, move on.
    """
    _require_team_member(user, patrol)
    _require_editable(patrol)
    if establishment.community_id != patrol.community_id:
        raise ValidationError({"establishment": _("This establishment is not in the patrol's community.")})
    if establishment.status != Status.OPEN:
        raise ValidationError({"establishment": _("This establishment is not open.")})
    if result not in VisitResult.values:
        raise ValidationError({"result": _("Choose a result.")})
    if result == VisitResult.ISSUES and not (findings.strip() or finding_items or follow_up_of):
        raise ValidationError({"findings": _("Describe the problems found.")})
    if follow_up_of is not None:
        if follow_up_of.establishment_id != establishment.pk or follow_up_of.kind != FindingKind.SAFETY_RISK:
            raise ValidationError({"follow_up_of": _("This finding does not belong to this establishment.")})
        if rectified is None:
            raise ValidationError({"rectified": _("Say whether the problem has been put right.")})
    allowed = checklist_for(patrol, establishment)
    given = visited_at is not None
    visited_at = visited_at or timezone.now()
    # The establishment's community is the patrol's (checked above), and is already loaded.
    bounds.check_event(visited_at, unit=establishment.community, field="visited_at")
    # A visit counts on its record's day: a time the phone gives must fall on it (or the night
    # after, 夜查); without one, the visit is stamped when entered and counts on its record's day.
    if given and not 0 <= (timezone.localdate(visited_at) - patrol.date).days <= VISIT_DAYS_AFTER_RECORD:
        raise ValidationError(
            {
                "visited_at": _("A visit must be made on its patrol record's day (%(day)s).")
                % {"day": patrol.date}
            }
        )
    _require_month_open(patrol.community_id, patrol.date)
    try:
        # No savepoint: a refused insert ends the whole operation, which rolls back.
        with transaction.atomic(savepoint=False):
            visit = Visit.objects.create(
                client_id=client_id or uuid.uuid4(),
                patrol=patrol,
                establishment=establishment,
                visited_at=visited_at,
                checklist=_clean_checklist(checklist, allowed),
                result=result,
                findings=findings.strip(),
                action_taken=action_taken.strip(),
                follow_up_of=follow_up_of,
                rectified=rectified if follow_up_of else None,
                **_position_columns(position),
            )
    except IntegrityError:
        raise ValidationError(
            {"establishment": _("This establishment has already been visited on this patrol.")}
        ) from None
    _findings_create(user=user, visit=visit, items=finding_items)
    if follow_up_of is not None:
        # The follow-up visit (回头看) is the rectification's follow-up (复查), by the same rules.
        rectification_follow_up(user=user, finding=follow_up_of, passed=bool(rectified))
    # Counted on the record's day, as the monthly figures count it: not when it was synced.
    _establishment_visited(establishment, patrol.date)
    return visit


def require_visit_open(user: User, visit: Visit) -> None:
    """What adding to a visit after it was saved needs (a rapid test, its finding): the user is on the
    team, the record can still be changed and its month is not locked."""
    _require_record_open(user, visit)
    _require_month_open(visit.patrol.community_id, visit.patrol.date)


def visit_findings_add(*, user: User, visit: Visit, items: Sequence[FindingInput]) -> list[Finding]:
    """Findings added to a visit already saved (a positive rapid test), by the rules of a visit's own."""
    require_visit_open(user, visit)
    return _findings_create(user=user, visit=visit, items=items)


def _findings_create(*, user: User, visit: Visit, items: Sequence[FindingInput]) -> list[Finding]:
    """Check every finding, store them all with their history at once, then report suspected violations."""
    # The district's rectification rules, read once for all the visit's findings (and only if needed).
    policy = cache(lambda: RectificationPolicy.for_district(visit.establishment.community.parent_id))
    findings = [_finding_new(visit=visit, item=item, user=user, policy=policy) for item in items]
    if findings:
        bulk_create_with_history(findings, Finding)
        rectifications_open(user=user, findings=findings)
    for finding in findings:
        if finding.kind == FindingKind.SUSPECTED_VIOLATION:
            lead_report(
                reporter=user,
                community=visit.establishment.community,
                establishment=visit.establishment,
                description=finding.description,
                source=LeadSource.INSPECTOR,
                finding=finding,
            )
    return findings


def _finding_new(
    *, visit: Visit, item: FindingInput, user: User, policy: Callable[[], RectificationPolicy]
) -> Finding:
    """A finding as recorded; a safety risk is a rectification owned by the shop's responsible person,
    due by the deadline given or else by its severity's."""
    if item.kind not in FindingKind.values:
        raise ValidationError({"finding_items": _("Choose the kind of finding.")})
    if not item.description.strip():
        raise ValidationError({"finding_items": _("Describe the finding.")})
    today = timezone.localdate()
    shop = visit.establishment
    finding = Finding(
        visit=visit,
        establishment=shop,
        community_id=visit.patrol.community_id,
        kind=item.kind,
        category=item.category,
        description=item.description.strip(),
        found_by=user,
    )
    if item.kind == FindingKind.SAFETY_RISK:
        finding.severity = severity_of(item.severity)
        finding.owner_name, finding.owner_phone = shop.legal_representative, shop.phone
        deadline = item.rectification_deadline or rectification_deadline(
            severity=finding.severity, policy=policy(), today=today
        )
        if deadline < today:
            raise ValidationError({"finding_items": _("The rectification deadline is in the past.")})
        finding.rectification_deadline = deadline
    else:
        finding.status = FindingStatus.REPORTED
    # The related rows are the caller's own (found_by is the user recording it); the CHECK
    # constraints are the database's, which refuses the whole visit if one is broken: checking
    # them here would cost three queries per finding.
    finding.full_clean(
        exclude=["visit", "establishment", "community", "found_by"], validate_constraints=False
    )
    return finding


def _establishment_visited(establishment: Establishment, day: dt.date) -> None:
    if establishment.last_visited_on and establishment.last_visited_on >= day:
        return
    establishment.last_visited_on = day
    establishment.refresh_visit_due()
    establishment.save(update_fields=["last_visited_on", "next_visit_due", "updated_at"])


@transaction.atomic
def visit_update(
    *, user: User, visit: Visit, result: str, findings: str, action_taken: str, checklist=None
) -> Visit:
    """Correct a visit while its patrol is still being logged or was sent back."""
    _require_team_member(user, visit.patrol)
    _require_editable(visit.patrol)
    if result not in VisitResult.values:
        raise ValidationError({"result": _("Choose a result.")})
    visit.result, visit.findings, visit.action_taken = result, findings.strip(), action_taken.strip()
    if checklist is not None:
        allowed = checklist_for(visit.patrol, visit.establishment)
        visit.checklist = _clean_checklist(checklist, allowed)
    visit._history_user = user
    visit.save()
    return visit


@transaction.atomic
def photo_add(*, user: User, visit: Visit, upload, client_id: uuid.UUID | None = None) -> tuple[Photo, bool]:
    """Check, re-encode and store a visit photo, keeping when and where it was taken."""
    if (found := _existing(Photo, client_id, user)) is not None:
        return found, False
    _require_team_member(user, visit.patrol)
    _require_editable(visit.patrol)
    if visit.photos.count() >= MAX_PHOTOS_PER_VISIT:
        raise ValidationError(
            {"image": _("A visit can have at most %(n)d photos.") % {"n": MAX_PHOTOS_PER_VISIT}}
        )
    photo_data = read_photo(upload)
    photo = Photo(
        client_id=client_id or uuid.uuid4(),
        visit=visit,
        uploaded_by=user,
        taken_at=photo_data.taken_at,
        latitude=photo_data.latitude,
        longitude=photo_data.longitude,
    )
    photo.image.save("photo.jpg", photo_data.content, save=False)
    photo.save()
    return photo, True


def _reviewers(patrol: Patrol) -> list[User]:
    return list(User.objects.filter(org_unit_id=patrol.community_id, role__in=REVIEWER_ROLES, is_active=True))


def _team(patrol: Patrol) -> list[User]:
    return [m.inspector for m in patrol.members.select_related("inspector")]


def _patrol_link(patrol: Patrol) -> str:
    return reverse("patrols:patrol_detail", args=[patrol.pk])


@transaction.atomic
def patrol_submit(*, user: User, patrol: Patrol) -> Patrol:
    _require_team_member(user, patrol)
    _require_editable(patrol)
    if not patrol.visits.exists():
        raise ValidationError(_("Record at least one visit before submitting."))
    _require_month_open(patrol.community_id, patrol.date)
    patrol.status, patrol.submitted_at, patrol.returned_reason = PatrolStatus.SUBMITTED, timezone.now(), ""
    patrol._history_user = user
    patrol.save()
    notify(
        recipients=_reviewers(patrol),
        title=_("Patrol record of %(date)s awaits your review") % {"date": f"{patrol.date:%Y-%m-%d}"},
        link=_patrol_link(patrol),
    )
    return patrol


def _require_reviewer(user: User, patrol: Patrol) -> None:
    if user.role not in REVIEWER_ROLES or user.org_unit_id != patrol.community_id:
        raise PermissionDenied
    if patrol.status != PatrolStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted record can be reviewed."))


@transaction.atomic
def patrol_approve(*, user: User, patrol: Patrol) -> Patrol:
    """Approve as community head or supervising leader; with both approvals the record is archived."""
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    _require_reviewer(user, patrol)
    now = timezone.now()
    if user.role == Role.COMMUNITY_HEAD:
        if patrol.head_approved_at:
            raise ValidationError(_("The community head has already approved this record."))
        patrol.head_approved_by, patrol.head_approved_at = user, now
    else:
        if patrol.leader_approved_at:
            raise ValidationError(_("The supervising leader has already approved this record."))
        patrol.leader_approved_by, patrol.leader_approved_at = user, now
    if patrol.head_approved_at and patrol.leader_approved_at:
        patrol.status, patrol.archived_at = PatrolStatus.ARCHIVED, now
    patrol._history_user = user
    patrol.save()
    if patrol.is_archived:
        notify(
            recipients=_team(patrol),
            title=_("Patrol record of %(date)s approved and archived") % {"date": f"{patrol.date:%Y-%m-%d}"},
            link=_patrol_link(patrol),
        )
    return patrol


def patrol_approve_many(*, user: User, patrols: Iterable[Patrol]) -> int:
    """Approve every record given that the user can still approve; returns how many.

    Only reviewers approve, even when none of the records named is theirs to approve.
    """
    if user.role not in REVIEWER_ROLES:
        raise PermissionDenied
    approved = 0
    for patrol in patrols:
        try:
            patrol_approve(user=user, patrol=patrol)
        except ValidationError:
            continue
        approved += 1
    return approved


@transaction.atomic
def patrol_return(*, user: User, patrol: Patrol, reason: str) -> Patrol:
    """Send a record back to its team with a reason; earlier approvals lapse."""
    patrol = Patrol.objects.select_for_update().get(pk=patrol.pk)
    _require_reviewer(user, patrol)
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for sending the record back.")})
    patrol.status, patrol.returned_reason = PatrolStatus.RETURNED, reason.strip()
    patrol.head_approved_by = patrol.head_approved_at = None
    patrol.leader_approved_by = patrol.leader_approved_at = None
    patrol._history_user = user
    patrol.save()
    notify(
        recipients=_team(patrol),
        title=_("Patrol record of %(date)s sent back") % {"date": f"{patrol.date:%Y-%m-%d}"},
        body=patrol.returned_reason,
        link=_patrol_link(patrol),
    )
    return patrol


AMENDABLE_VISIT_FIELDS = ("findings", "action_taken")


@transaction.atomic
def patrol_amend(
    *, user: User, patrol: Patrol, field: str, corrected: str, reason: str, visit: Visit | None = None
) -> Amendment:
    """Add a correction to an archived record; the record keeps its original text."""
    if not patrol.is_archived:
        raise ValidationError(_("Only an archived record is amended; edit it instead."))
    in_team = patrol.members.filter(inspector=user).exists()
    if not in_team and not (user.role in REVIEWER_ROLES and user.org_unit_id == patrol.community_id):
        raise PermissionDenied
    if not reason.strip() or not corrected.strip():
        raise ValidationError(_("Give both the correction and the reason for it."))
    if visit is not None and visit.patrol_id != patrol.pk:
        raise ValidationError({"visit": _("This visit is not on this record.")})
    target = visit if visit is not None else patrol
    allowed = AMENDABLE_VISIT_FIELDS if visit is not None else ("notes",)
    if field not in allowed:
        raise ValidationError({"field": _("This field cannot be amended.")})
    return Amendment.objects.create(
        patrol=patrol,
        visit=visit,
        field=field,
        original=getattr(target, field),
        corrected=corrected.strip(),
        reason=reason.strip(),
        made_by=user,
    )


# The visit record the shop keeps (现场巡查记录): signed on the phone, or marked as refused.


def may_mark_shop_record(user: User, visit: Visit) -> bool:
    """Only the team signs or marks a visit's record, while its patrol record can still be changed."""
    return visit.patrol.is_editable and is_team_member(user, visit.patrol)


def _require_record_open(user: User, visit: Visit) -> None:
    _require_team_member(user, visit.patrol)
    _require_editable(visit.patrol)


def signature_from_data_url(text: str) -> bytes:
    """The PNG bytes of a canvas's `toDataURL()`; anything else is refused in words."""
    prefix = "data:image/png;base64,"
    if not text.startswith(prefix):
        raise ValidationError({"signature": _("Sign in the box before saving.")})
    try:
        return base64.b64decode(text[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({"signature": _("The signature is not a PNG image.")}) from None


@transaction.atomic
def visit_shop_sign(*, user: User, visit: Visit, signer_name: str, signature: bytes) -> Visit:
    """Keep the signature of the shop's responsible person on the visit's record, timed by the server.

    Signing again (or after a refusal) replaces what was there, while the record can be changed.
    """
    visit = Visit.objects.select_for_update().select_related("patrol").get(pk=visit.pk)
    _require_record_open(user, visit)
    signer_name = signer_name.strip()
    if not signer_name:
        raise ValidationError({"signer_name": _("Enter the name of the person signing.")})
    if len(signer_name) > SIGNER_NAME_MAX_LENGTH:
        raise ValidationError(
            {"signer_name": _("The name is longer than %(n)d characters.") % {"n": SIGNER_NAME_MAX_LENGTH}}
        )
    content = read_signature(signature)
    # A signature replaced stays in its file: the visit's history still points to it.
    visit.shop_signature.save(f"{uuid.uuid4().hex}.png", content, save=False)
    visit.shop_signer_name, visit.shop_signed_at = signer_name, timezone.now()
    visit.shop_refusal_reason, visit.shop_refused_at = "", None
    visit._history_user = user
    visit.save()
    return visit


@transaction.atomic
def visit_shop_refuse(*, user: User, visit: Visit, reason: str) -> Visit:
    """Mark the visit's record as refused by the shop, with the reason; a signature given before goes."""
    visit = Visit.objects.select_for_update().select_related("patrol").get(pk=visit.pk)
    _require_record_open(user, visit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason the shop refused to sign.")})
    if len(reason) > REFUSAL_REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("The reason is longer than %(n)d characters.") % {"n": REFUSAL_REASON_MAX_LENGTH}}
        )
    visit.shop_signature = ""
    visit.shop_signer_name, visit.shop_signed_at = "", None
    visit.shop_refusal_reason, visit.shop_refused_at = reason, timezone.now()
    visit._history_user = user
    visit.save()
    return visit
