"""Pages for daily patrol records: log on the phone, review, archive, amend, and watch."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from config import bounds
from config.pagination import paginate
from orgs.models import OrgUnit, OrgUnitKind, Role
from patrols.forms import (
    OFFLINE_START_DAYS,
    AmendForm,
    ChecklistForm,
    PatrolStartForm,
    SendBackForm,
    VisitEditForm,
    VisitForm,
)
from patrols.models import (
    Category,
    ChecklistTemplate,
    Establishment,
    Finding,
    FindingKind,
    Patrol,
    PatrolKind,
    PatrolMember,
    PatrolStatus,
    Photo,
    Visit,
    VisitResult,
)
from patrols.selectors import month_calendar, open_risk_figures, patrol_days
from patrols.services import records as services
from patrols.services.campaigns import target_rows
from patrols.services.rectifications import rectification_evidence_add

PAGE_SIZE = 30


def _apply_errors(form, error: ValidationError) -> None:
    """Show a service's validation error on the form, by field where the form has it."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def _patrol_for(request, pk: int) -> Patrol:
    return get_object_or_404(
        Patrol.objects.visible_to(request.user).select_related("community", "campaign"), pk=pk
    )


def _flash_error(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_http_methods(["GET", "POST"])
def patrol_today(request):
    """An inspector's start of the day: today's record if started, else the start form."""
    user = request.user
    if user.role in services.REVIEWER_ROLES:
        return redirect("patrols:patrol_review")
    if user.role != Role.INSPECTOR:
        return redirect("home")
    today = timezone.localdate()
    # The kind of record the page starts: ?kind=night, or the kind a start sent from the phone says.
    kind = _kind_of(request.POST.get("kind") or request.GET.get("kind"))
    # One record per community, day and kind: today's, whoever started it and whatever its state.
    current = (
        Patrol.objects.visible_to(user).filter(community_id=user.org_unit_id, date=today, kind=kind).first()
    )
    if current is not None and request.method == "GET":
        return redirect("patrols:patrol_detail", pk=current.pk)
    # A start sent for a day already started (by a team-mate, or by this phone offline) joins it.
    initial = {"client_id": uuid.uuid4(), "date": today}
    form = PatrolStartForm(request.POST or None, user=user, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patrol, _created = services.patrol_start(
                user=user,
                team=list(data["team"]),
                notes=data["notes"],
                date=data["date"],
                client_id=data["client_id"],
                kind=data["kind"],
                campaign=data.get("campaign"),
                joint_departments=data.get("joint_departments", ""),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("patrols:patrol_detail", pk=patrol.pk)
    context = {
        "form": form,
        "today": today,
        "kind": kind,
        "kind_label": PatrolKind(kind).label,
        "kinds": PatrolKind.choices,
        "day_url": _day_url(today, kind),
        "to_visit": _with_day_hrefs(_shops_to_visit(user), _day_url(today, kind)),
    }
    return render(request, "patrols/patrol_start.html", context)


def _kind_of(value: str | None) -> str:
    """A kind of record named in a request; anything else is the daily patrol."""
    return value if value in PatrolKind.values else PatrolKind.DAILY


def _day_url(date: dt.date, kind: str) -> str:
    """The page of the community's record of a day and kind, by its date (visits/new/<shop>/ below it)."""
    day = f"{date:%Y-%m-%d}"
    if kind == PatrolKind.DAILY:
        return reverse("patrols:patrol_on_day", args=[day])
    return reverse("patrols:patrol_on_day", args=[day, kind])


def _with_day_hrefs(shops: list[Establishment], day_url: str) -> list[Establishment]:
    """Each shop with its visit form on the record of the day named by its date."""
    for shop in shops:
        shop.day_href = f"{day_url}visits/new/{shop.pk}/"
    return shops


def _offline_kind(kind: str) -> str:
    if kind not in PatrolKind.values:
        raise Http404
    return kind


def _shops_to_visit(user, visited=()) -> list[Establishment]:
    return list(
        Establishment.objects.visible_to(user)
        .filter(community_id=user.org_unit_id)
        .open()
        .exclude(pk__in=visited)
        .order_by("next_visit_due", "name")
    )


def _offline_day(day: str) -> dt.date:
    """A day a phone may have started offline: today or the day before (a patrol late in the evening)."""
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    today = timezone.localdate()
    if not today - dt.timedelta(days=OFFLINE_START_DAYS) <= date <= today:
        raise Http404
    return date


def _day_record(user, date: dt.date, kind: str) -> Patrol | None:
    return Patrol.objects.visible_to(user).filter(community_id=user.org_unit_id, date=date, kind=kind).first()


@login_required
def patrol_on_day(request, day: str, kind: str = PatrolKind.DAILY):
    """The community's record of a day, by its date: where a phone that started the day offline goes.

    Opened in the morning before the start it is saved on the phone, listing the
    shops to visit; once the record exists it leads to it.
    """
    date = _offline_day(day)
    kind = _offline_kind(kind)
    if (patrol := _day_record(request.user, date, kind)) is not None:
        return redirect("patrols:patrol_detail", pk=patrol.pk)
    if request.user.role != Role.INSPECTOR:
        raise Http404
    context = {
        "date": date,
        "kind": kind,
        "kind_label": PatrolKind(kind).label,
        "day_url": _day_url(date, kind),
        "to_visit": _with_day_hrefs(_shops_to_visit(request.user), _day_url(date, kind)),
    }
    return render(request, "patrols/patrol_day.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_create_on_day(request, day: str, shop: int, kind: str = PatrolKind.DAILY):
    """A visit on the day's record, named by its date: the form a phone keeps for a day started offline.

    Sent when the record exists (its start was sent first, the phone's queue keeping
    the order), it is stored there; before that it is refused in words and kept on the phone.
    """
    date = _offline_day(day)
    kind = _offline_kind(kind)
    if request.user.role != Role.INSPECTOR:
        raise Http404
    if (patrol := _day_record(request.user, date, kind)) is not None:
        return visit_create(request, patrol.pk, shop)
    establishment = get_object_or_404(
        Establishment.objects.visible_to(request.user).select_related("community"), pk=shop
    )
    if request.method == "POST":
        context = {"date": date}
        return render(request, "patrols/patrol_not_started.html", context, status=409)
    return _visit_page(request, None, establishment, _day_url(date, kind))


@login_required
def patrol_detail(request, pk: int):
    patrol = _patrol_for(request, pk)
    user = request.user
    visits = list(
        patrol.visits.select_related("establishment", "follow_up_of").prefetch_related(
            "photos", "finding_set"
        )
    )
    members = list(patrol.members.select_related("inspector"))
    in_team = any(m.inspector_id == user.pk for m in members)
    context = {
        "patrol": patrol,
        "visits": visits,
        "members": members,
        "can_log": patrol.is_editable and in_team,
        "can_review": _can_review(user, patrol),
        "day_url": _day_url(patrol.date, patrol.kind),
        # An inspector on today's record starts the day's other kinds from it (a night check, ...).
        "other_kinds": [
            (value, label)
            for value, label in PatrolKind.choices
            if value != patrol.kind and user.role == Role.INSPECTOR and patrol.date == timezone.localdate()
        ],
        "amendments": patrol.amendments.select_related("made_by", "visit__establishment"),
        "history": patrol.history.select_related("history_user")[:20],
        "send_back_form": SendBackForm(),
    }
    if context["can_log"]:
        context["sending"] = _what_is_sent(visits)
        visited = {v.establishment_id for v in visits}
        context["to_visit"] = (
            Establishment.objects.visible_to(user)
            .filter(community_id=patrol.community_id)
            .open()
            .exclude(pk__in=visited)
            .order_by("next_visit_due", "name")
        )
    if patrol.is_archived and (in_team or _is_reviewer_of(user, patrol)):
        context["amend_form"] = AmendForm(patrol=patrol)
    return render(request, "patrols/patrol_detail.html", context)


def _what_is_sent(visits: list[Visit]) -> dict[str, int]:
    """What submitting sends for review, shown before the inspector confirms."""
    return {
        "visits": len(visits),
        "compliant": sum(v.result == VisitResult.COMPLIANT for v in visits),
        "issues": sum(v.result == VisitResult.ISSUES for v in visits),
        "follow_ups": sum(v.follow_up_of_id is not None for v in visits),
        "findings": sum(len(v.finding_set.all()) for v in visits),
        "photos": sum(len(v.photos.all()) for v in visits),
    }


def _is_reviewer_of(user, patrol: Patrol) -> bool:
    return user.role in services.REVIEWER_ROLES and user.org_unit_id == patrol.community_id


def _can_review(user, patrol: Patrol) -> bool:
    if patrol.status != PatrolStatus.SUBMITTED or not _is_reviewer_of(user, patrol):
        return False
    approved = patrol.head_approved_at if user.role == Role.COMMUNITY_HEAD else patrol.leader_approved_at
    return approved is None


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request, pk: int, establishment_pk: int):
    patrol = _patrol_for(request, pk)
    establishment = get_object_or_404(
        Establishment.objects.visible_to(request.user).select_related("community"), pk=establishment_pk
    )
    if request.method == "POST" and _already_stored(request):
        # A phone resending a visit whose answer it lost: stored already, even
        # if the record has been submitted since.
        return redirect("patrols:patrol_detail", pk=patrol.pk)
    if not patrol.is_editable:
        return render(request, "patrols/patrol_locked.html", {"patrol": patrol}, status=403)
    return _visit_page(request, patrol, establishment, reverse("patrols:patrol_detail", args=[patrol.pk]))


def _visit_page(request, patrol: Patrol | None, establishment: Establishment, back_url: str):
    """The visit form, and on POST the visit saved on the record (a form without one only shows)."""
    checklist = services.checklist_for(patrol, establishment)
    open_findings = Finding.objects.visible_to(request.user).open_risks().filter(establishment=establishment)
    form = VisitForm(
        request.POST or None,
        request.FILES or None,
        checklist=checklist,
        open_findings=open_findings,
        initial={"client_id": uuid.uuid4()},
    )
    if request.method == "POST" and patrol is not None and form.is_valid():
        try:
            _save_visit(request, patrol, establishment, form)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Visit to %(name)s saved.") % {"name": establishment.name})
            return redirect("patrols:patrol_detail", pk=patrol.pk)
    status = 400 if form.errors else 200
    context = {"patrol": patrol, "establishment": establishment, "form": form, "back_url": back_url}
    return render(request, "patrols/visit_form.html", context, status=status)


def _already_stored(request) -> bool:
    try:
        client_id = uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return False
    return Visit.objects.visible_to(request.user).filter(client_id=client_id).exists()


@transaction.atomic
def _save_visit(request, patrol: Patrol, establishment: Establishment, form: VisitForm) -> Visit:
    """One visit with its finding and photos: all saved, or none if any part is refused."""
    data = form.cleaned_data
    finding_items = []
    if data["finding_kind"]:
        finding_items.append(
            services.FindingInput(
                kind=data["finding_kind"],
                category=data["finding_category"],
                description=data["findings"] or str(FindingKind(data["finding_kind"]).label),
                rectification_deadline=data["rectification_deadline"],
                severity=data["severity"],
            )
        )
    follow_up = data.get("follow_up_of")
    rectified = {"yes": True, "no": False}.get(data.get("rectified") or "") if follow_up else None
    if rectified:
        # A follow-up that finds the risk put right: its photos are the fix's evidence (整改照片),
        # which the rectification needs to close; they stay the visit's photos as well.
        for upload in data["photos"]:
            rectification_evidence_add(user=request.user, finding=follow_up, upload=upload)
            upload.seek(0)
    visit, created = services.visit_record(
        user=request.user,
        patrol=patrol,
        establishment=establishment,
        result=data["result"],
        checklist=form.checklist_rows(),
        findings=data["findings"],
        action_taken=data["action_taken"],
        finding_items=finding_items,
        follow_up_of=follow_up,
        rectified=rectified,
        client_id=data["client_id"],
        position=services.Position.from_parts(data["latitude"], data["longitude"], data["accuracy_m"]),
    )
    if created:
        for upload in data["photos"]:
            services.photo_add(user=request.user, visit=visit, upload=upload)
    return visit


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request, pk: int):
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related("patrol", "establishment"), pk=pk
    )
    if not visit.patrol.is_editable:
        return render(request, "patrols/patrol_locked.html", {"patrol": visit.patrol}, status=403)
    initial = {"result": visit.result, "findings": visit.findings, "action_taken": visit.action_taken}
    form = VisitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_update(user=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("patrols:patrol_detail", pk=visit.patrol_id)
    return render(request, "patrols/visit_edit.html", {"visit": visit, "form": form})


def _patrol_action(request, pk: int, operation, success: str, **kwargs):
    patrol = _patrol_for(request, pk)
    try:
        operation(user=request.user, patrol=patrol, **kwargs)
    except ValidationError as error:
        _flash_error(request, error)
    else:
        messages.success(request, success)
    return redirect("patrols:patrol_detail", pk=patrol.pk)


@login_required
@require_POST
def patrol_submit(request, pk: int):
    return _patrol_action(request, pk, services.patrol_submit, _("Submitted for review."))


@login_required
@require_POST
def patrol_approve(request, pk: int):
    return _patrol_action(request, pk, services.patrol_approve, _("Approved."))


@login_required
@require_POST
def patrol_send_back(request, pk: int):
    form = SendBackForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _patrol_action(request, pk, services.patrol_return, _("Sent back to the team."), reason=reason)


@login_required
@require_POST
def patrol_amend(request, pk: int):
    patrol = _patrol_for(request, pk)
    form = AmendForm(request.POST, patrol=patrol)
    if not form.is_valid():
        messages.error(request, _("Give the correction and its reason."))
        return redirect("patrols:patrol_detail", pk=patrol.pk)
    target = form.cleaned_data["target"]
    visit = None
    field = target
    if ":" in target:
        visit_pk, field = target.split(":", 1)
        visit = get_object_or_404(patrol.visits, pk=int(visit_pk))
    return _patrol_action(
        request,
        pk,
        services.patrol_amend,
        _("Amendment added; the original is kept."),
        field=field,
        visit=visit,
        corrected=form.cleaned_data["corrected"],
        reason=form.cleaned_data["reason"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def patrol_review(request):
    """The records waiting for this reviewer, to approve one by one or many at once."""
    if request.user.role not in services.REVIEWER_ROLES:
        raise PermissionDenied
    pending = (
        Patrol.objects.visible_to(request.user)
        .awaiting_review_by(request.user)
        .prefetch_related(
            Prefetch("members", queryset=PatrolMember.objects.select_related("inspector")),
            # Visits saved far from their shop are shown to the reviewer (Visit.is_far_from_shop).
            Prefetch(
                "visits",
                queryset=Visit.objects.filter(
                    latitude__isnull=False, establishment__latitude__isnull=False
                ).select_related("establishment"),
                to_attr="positioned_visits",
            ),
        )
        .order_by("date")
    )
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        count = services.patrol_approve_many(user=request.user, patrols=pending.filter(pk__in=ids))
        messages.success(request, _("%(count)d records approved.") % {"count": count})
        return redirect("patrols:patrol_review")
    return render(request, "patrols/patrol_review.html", {"pending": pending})


def _own_shortfalls(user) -> list:
    """For a community's people: this month's kinds still short of the district's targets."""
    if user.tier != OrgUnitKind.COMMUNITY or user.org_unit is None or user.role == Role.VOLUNTEER:
        return []
    first = timezone.localdate().replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return [row for row in target_rows([user.org_unit], first, last) if row.short]


def _scope_communities(request):
    return OrgUnit.objects.visible_to(request.user).communities()


@login_required
def patrol_list(request):
    patrols = (
        Patrol.objects.visible_to(request.user)
        .select_related("community")
        .prefetch_related(Prefetch("members", queryset=PatrolMember.objects.select_related("inspector")))
    )
    status = request.GET.get("status", "")
    if status in PatrolStatus.values:
        patrols = patrols.filter(status=status)
    community = request.GET.get("community", "")
    if community.isdigit():
        patrols = patrols.filter(community_id=int(community))
    kind = request.GET.get("kind", "")
    if kind in PatrolKind.values:
        patrols = patrols.filter(kind=kind)
    context = {
        **paginate(request, patrols, PAGE_SIZE),
        "statuses": PatrolStatus.choices,
        "status": status,
        "kinds": PatrolKind.choices,
        "kind": kind,
        "short_of_targets": _own_shortfalls(request.user),
        "communities": _scope_communities(request),
        "community": community,
    }
    return render(request, "patrols/patrol_list.html", context)


@login_required
def photo_file(request, pk: int):
    """A visit photo, only for users who may see its record."""
    photo = get_object_or_404(Photo.objects.visible_to(request.user), pk=pk)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _month(request) -> tuple[int, int]:
    """?month=2026-10 within the bounds, else this month."""
    first = bounds.parse_month(request.GET.get("month", "")) or timezone.localdate()
    return first.year, first.month


@login_required
def patrol_calendar(request):
    """A community's patrol days in a month; the days without a patrol stand out."""
    communities = _scope_communities(request)
    if request.user.tier == OrgUnitKind.COMMUNITY:
        community = request.user.org_unit
    else:
        chosen = request.GET.get("community", "")
        community = communities.filter(pk=int(chosen)).first() if chosen.isdigit() else communities.first()
        if community is None:
            raise Http404
    year, month = _month(request)
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    today = timezone.localdate()
    days = patrol_days([community.pk], first=first, last=last)[community.pk]
    weeks = month_calendar(
        year, month, days, today, opened_on=community.opened_on, closed_on=community.closed_on
    )
    missing = sum(1 for week in weeks for cell in week if cell["missing"])
    context = {
        "community": community,
        "communities": communities if request.user.tier != OrgUnitKind.COMMUNITY else None,
        "weeks": weeks,
        "first": first,
        "previous": (first - dt.timedelta(days=1)).strftime("%Y-%m"),
        "next": (last + dt.timedelta(days=1)).strftime("%Y-%m"),
        "patrolled": len(days),
        "missing": missing,
    }
    return render(request, "patrols/patrol_calendar.html", context)


# Days looked back over for "days without a patrol" on the district view.
RECENT_DAYS = 7


@login_required
def patrol_overview(request):
    """The district's (or city's) view of patrols, open findings and overdue rectifications."""
    if request.user.tier == OrgUnitKind.COMMUNITY and not request.user.is_superuser:
        raise PermissionDenied
    today = timezone.localdate()
    communities = list(_scope_communities(request).active().select_related("parent"))
    ids = [c.pk for c in communities]
    month_days = patrol_days(ids, first=today.replace(day=1), last=today)
    # The last RECENT_DAYS days that have ended: today is not missed until it is over.
    recent_days = patrol_days(
        ids, first=today - dt.timedelta(days=RECENT_DAYS), last=today - dt.timedelta(days=1)
    )
    findings = open_risk_figures(ids, on=today)
    rows = [
        {
            "community": c,
            "month_days": len(month_days[c.pk]),
            "last": max(month_days[c.pk] | recent_days[c.pk], default=None),
            "today": today in month_days[c.pk],
            "missing_recent": RECENT_DAYS - len(recent_days[c.pk]),
            "open": findings.get(c.pk, {}).get("open_risks", 0),
            "overdue": findings.get(c.pk, {}).get("overdue_risks", 0),
        }
        for c in communities
    ]
    overdue = (
        Finding.objects.visible_to(request.user)
        .overdue(on=today)
        .select_related("establishment", "community")
        .order_by("rectification_deadline")[:100]
    )
    context = {
        "rows": rows,
        "overdue": overdue,
        "today": today,
        "days_elapsed": today.day,
        "recent": RECENT_DAYS,
    }
    return render(request, "patrols/patrol_overview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checklist_edit(request, category: str):
    """A district office keeps its own version of a category's checklist."""
    user = request.user
    if user.role not in (Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON) or category not in Category.values:
        raise PermissionDenied
    district = user.org_unit
    current = services.checklists_for_district(district.pk).get(category, [])
    form = ChecklistForm(request.POST or None, initial={"items": "\n".join(current)})
    if request.method == "POST" and form.is_valid():
        template, _created = ChecklistTemplate.objects.get_or_create(district=district, category=category)
        template.items = form.cleaned_data["items"]
        template._history_user = user
        template.save()
        messages.success(request, _("Checklist saved."))
        return redirect("patrols:checklist_list")
    context = {"form": form, "category": Category(category)}
    return render(request, "patrols/checklist_form.html", context)


@login_required
def checklist_list(request):
    district = request.user.org_unit.district if request.user.org_unit else None
    lists = services.checklists_for_district(district.pk if district else None)
    rows = [{"category": c, "items": lists.get(c.value, [])} for c in Category]
    can_edit = request.user.role in (Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON)
    return render(request, "patrols/checklist_list.html", {"rows": rows, "can_edit": can_edit})


urlpatterns = [
    path("patrols/", patrol_list, name="patrol_list"),
    path("patrols/today/", patrol_today, name="patrol_today"),
    path("patrols/review/", patrol_review, name="patrol_review"),
    path("patrols/calendar/", patrol_calendar, name="patrol_calendar"),
    path("patrols/overview/", patrol_overview, name="patrol_overview"),
    path("patrols/<int:pk>/", patrol_detail, name="patrol_detail"),
    path("patrols/on/<str:day>/", patrol_on_day, name="patrol_on_day"),
    path("patrols/on/<str:day>/visits/new/<int:shop>/", visit_create_on_day, name="visit_create_on_day"),
    # The same pages for a record of another kind than the daily patrol (a night check, ...).
    path("patrols/on/<str:day>/<str:kind>/", patrol_on_day, name="patrol_on_day"),
    path(
        "patrols/on/<str:day>/<str:kind>/visits/new/<int:shop>/",
        visit_create_on_day,
        name="visit_create_on_day",
    ),
    path("patrols/<int:pk>/visits/new/<int:establishment_pk>/", visit_create, name="visit_create"),
    path("patrols/<int:pk>/submit/", patrol_submit, name="patrol_submit"),
    path("patrols/<int:pk>/approve/", patrol_approve, name="patrol_approve"),
    path("patrols/<int:pk>/send-back/", patrol_send_back, name="patrol_send_back"),
    path("patrols/<int:pk>/amend/", patrol_amend, name="patrol_amend"),
    path("visits/<int:pk>/edit/", visit_edit, name="visit_edit"),
    path("photos/<int:pk>/", photo_file, name="photo_file"),
    path("checklists/", checklist_list, name="checklist_list"),
    path("checklists/<str:category>/", checklist_edit, name="checklist_edit"),
]
