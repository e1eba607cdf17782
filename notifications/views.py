"""The notification centre: a user's own notices, nobody else's."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from config.pagination import paginate
from notifications.models import Notification
from notifications.services import notification_mark_read

PAGE_SIZE = 50


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
