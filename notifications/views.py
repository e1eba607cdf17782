"""The notification centre: a user's own notices, nobody else's. Also each person's choice of
channels, and the pages where a unit's office sets its group robots and sees their deliveries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.pagination import paginate
from notifications.forms import GroupRobotForm, NoticePreferencesForm
from notifications.models import Delivery, GroupRobot, Notification, RobotKind, robot_units
from notifications.services import (
    group_robot_remove,
    group_robot_save,
    group_robot_test,
    notice_preferences_save,
    notification_mark_read,
)

PAGE_SIZE = 50
# How many of a unit's latest deliveries its robots page lists.
RECENT_DELIVERIES = 50


@login_required
def notification_list(request):
    notifications = Notification.objects.for_user(request.user)
    return render(
        request, "notifications/notification_list.html", paginate(request, notifications, PAGE_SIZE)
    )


@login_required
def notification_open(request, pk: int):
    """Mark the notice read and follow its link. Opening is reading, as in any mail client,
    so this answers a plain link (GET); the worst a forged request can do is mark a notice read."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    notification_mark_read(user=request.user, ids=[notification.pk])
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_mark_all_read(request):
    notification_mark_read(user=request.user)
    return redirect("notifications:list")


@login_required
def notice_preferences(request):
    """The person's own channels and mobile number; nobody edits another's."""
    user = request.user
    form = NoticePreferencesForm(
        request.POST or None, initial={"channels": user.notice_channels, "mobile": user.mobile}
    )
    if request.method == "POST" and form.is_valid():
        notice_preferences_save(user=user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@login_required
def robot_unit_list(request):
    """The units whose group robots the user sets (a head or an office: their own unit)."""
    units = robot_units(request.user)
    if not units.exists():
        raise PermissionDenied
    context = paginate(request, units.prefetch_related("group_robots"), PAGE_SIZE)
    return render(request, "notifications/robot_unit_list.html", context)


@login_required
def unit_robots(request, pk: int):
    """A unit's WeCom and DingTalk robots (save, send a test message, remove) and its latest deliveries.

    A unit the user does not manage is not found, whatever its id.
    """
    unit = get_object_or_404(robot_units(request.user), pk=pk)
    robots = {robot.kind: robot for robot in GroupRobot.objects.filter(org_unit=unit)}
    forms = {kind: GroupRobotForm(kind=kind) for kind in RobotKind.values}
    if request.method == "POST":
        kind, action = request.POST.get("kind", ""), request.POST.get("action", "save")
        if kind not in forms:
            return redirect("notifications:unit_robots", pk=unit.pk)
        robot = robots.get(kind)
        if action == "save":
            form = forms[kind] = GroupRobotForm(request.POST, kind=kind)
            if form.is_valid() and _save(request, form, unit=unit, kind=kind):
                messages.success(request, _("The group robot was saved."))
                return redirect("notifications:unit_robots", pk=unit.pk)
        elif action == "test" and robot is not None:
            _test(request, robot)
            return redirect("notifications:unit_robots", pk=unit.pk)
        elif action == "remove" and robot is not None:
            group_robot_remove(user=request.user, robot=robot)
            messages.success(request, _("The group robot was removed."))
            return redirect("notifications:unit_robots", pk=unit.pk)
    deliveries = Delivery.objects.of_unit(unit).select_related("notification").order_by("-pk")
    context = {
        "unit": unit,
        "robots": [(kind, label, robots.get(kind), forms[kind]) for kind, label in RobotKind.choices],
        "deliveries": deliveries[:RECENT_DELIVERIES],
        "failing": deliveries.failing().count(),
    }
    return render(request, "notifications/unit_robots.html", context)


def _save(request, form: GroupRobotForm, *, unit, kind: str) -> bool:
    try:
        group_robot_save(user=request.user, unit=unit, kind=kind, **form.cleaned_data)
    except ValidationError as exc:
        errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
        for field, field_errors in errors.items():
            form.add_error(field if field in form.fields else None, field_errors)
        return False
    return True


def _test(request, robot: GroupRobot) -> None:
    error = group_robot_test(user=request.user, robot=robot)
    if error:
        messages.error(request, _("The test message failed: %(error)s") % {"error": error})
    else:
        messages.success(request, _("The test message was sent to the group."))
