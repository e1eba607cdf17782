"""Writing, submitting, returning and reopening monthly reports; articles; reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from config import bounds
from notifications.services import notify
from orgs.models import OrgUnit, OrgUnitKind, Role, User
from orgs.selectors import people_by_unit
from patrols.photos import read_photo
from reporting import figures as report_figures
from reporting import periods
from reporting.models import (
    ARTICLE_PICTURES_MAX,
    PREPARERS,
    REVIEWERS,
    Article,
    ArticleMedia,
    MediaKind,
    MonthlyReport,
    ReportAction,
    ReportEvent,
    ReportStatus,
)
from reporting.selectors import compile_district
from reporting.videos import read_video


def can_prepare(user: User, unit: OrgUnit) -> bool:
    """Whether the user writes and submits this unit's reports."""
    return user.org_unit_id == unit.pk and user.role in PREPARERS.get(unit.kind, ())


def can_review(user: User, unit: OrgUnit) -> bool:
    """Whether the user works at the level directly above this unit and may return or reopen its reports."""
    if user.is_superuser:
        return True
    return user.org_unit_id == unit.parent_id and user.role in REVIEWERS.get(unit.kind, ())


def report_link(unit: OrgUnit, period: dt.date) -> str:
    return reverse("reporting:report", args=[unit.pk, f"{period:%Y-%m}"])


def _responsible(unit: OrgUnit) -> list[User]:
    return people_by_unit([unit], PREPARERS[unit.kind])[unit.pk]


def _reviewers(unit: OrgUnit) -> list[User]:
    return people_by_unit([unit.parent_id], REVIEWERS[unit.kind])[unit.parent_id]


def monthly_report_for(*, unit: OrgUnit, period: dt.date) -> MonthlyReport:
    """The unit's report on the month, created as a draft the first time it is asked for."""
    if unit.kind not in PREPARERS:
        raise ValidationError(_("Only communities and districts file monthly reports."))
    report, _created = MonthlyReport.objects.get_or_create(unit=unit, period=period)
    return report


def _locked_report(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("unit").get(pk=report.pk)


def _require_open(report: MonthlyReport, now: dt.datetime) -> None:
    if report.is_submitted:
        raise ValidationError(_("This report has been submitted and can no longer be changed."))
    if report.is_locked(now):
        raise ValidationError(
            _(
                "The deadline for this report has passed and the period is locked. "
                "Ask the level above to reopen it."
            )
        )


@transaction.atomic
def monthly_report_save(*, user: User, report: MonthlyReport, narrative: str) -> MonthlyReport:
    report = _locked_report(report)
    if not can_prepare(user, report.unit):
        raise PermissionDenied
    _require_open(report, timezone.now())
    report.narrative = narrative.strip()
    report.save(update_fields=["narrative", "updated_at"])
    return report


def current_figures(report: MonthlyReport, *, on: dt.date | None = None) -> dict:
    """The figures the report would freeze if it were submitted now."""
    on = on or timezone.localdate()
    if report.unit.kind == OrgUnitKind.COMMUNITY:
        return report_figures.community_figures([report.unit], report.period, on=on)[report.unit.pk]
    return compile_district(report.unit, report.period)


@transaction.atomic
def monthly_report_submit(
    *, user: User, report: MonthlyReport, narrative: str | None = None
) -> MonthlyReport:
    """Freeze the figures and send the report to the level above.

    1. Only the unit's own preparers may submit, while the period is open.
    2. The figures are taken now and kept: later changes to records do not reach them.
    3. The first submission decides lateness; a resubmission after a return keeps it.
    """
    report = _locked_report(report)
    if not can_prepare(user, report.unit):
        raise PermissionDenied
    now = timezone.now()
    _require_open(report, now)
    if timezone.localdate(now) <= periods.period_last_day(report.period):
        raise ValidationError(_("The month is not over yet; its report can be submitted from the 1st."))
    if narrative is not None:
        report.narrative = narrative.strip()
    if not report.narrative:
        raise ValidationError(
            {"narrative": _("Write a short summary of the month's work before submitting.")}
        )
    report.figures = current_figures(report, on=timezone.localdate(now))
    report.status = ReportStatus.SUBMITTED
    report.submitted_at, report.submitted_by = now, user
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.late = periods.is_late(now, report.deadline)
    report.save()
    ReportEvent.objects.create(report=report, action=ReportAction.SUBMITTED, actor=user)
    notify(
        recipients=_reviewers(report.unit),
        title=_("%(unit)s submitted its report for %(month)s")
        % {"unit": report.unit.name, "month": f"{report.period:%Y-%m}"},
        link=report_link(report.unit, report.period),
    )
    return report


@transaction.atomic
def monthly_report_return(*, user: User, report: MonthlyReport, reason: str) -> MonthlyReport:
    report = _locked_report(report)
    if not can_review(user, report.unit):
        raise PermissionDenied
    if not report.is_submitted:
        raise ValidationError(_("Only a submitted report can be returned."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the report is returned.")})
    report.status = ReportStatus.RETURNED
    report.returned_reason = reason
    report.save(update_fields=["status", "returned_reason", "updated_at"])
    ReportEvent.objects.create(report=report, action=ReportAction.RETURNED, actor=user, note=reason)
    notify(
        recipients=_responsible(report.unit),
        title=_("Your report for %(month)s was returned") % {"month": f"{report.period:%Y-%m}"},
        body=reason,
        link=report_link(report.unit, report.period),
        urgent=True,
    )
    return report


@transaction.atomic
def monthly_report_reopen(
    *, user: User, unit: OrgUnit, period: dt.date, reason: str, until: dt.date
) -> MonthlyReport:
    """Grant an exception: open a locked period to the unit again until the end of `until`."""
    if not can_review(user, unit):
        raise PermissionDenied
    report = _locked_report(monthly_report_for(unit=unit, period=period))
    now = timezone.now()
    if report.is_submitted:
        raise ValidationError(_("This report has been submitted; return it instead."))
    if not report.is_locked(now):
        raise ValidationError(_("This period is not locked."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the period is reopened.")})
    if until < timezone.localdate(now):
        raise ValidationError({"until": _("Choose a day from today on.")})
    bounds.check_day(until, field="until")
    report.reopened_until = periods.end_of_day(until)
    report.save(update_fields=["reopened_until", "updated_at"])
    ReportEvent.objects.create(
        report=report,
        action=ReportAction.REOPENED,
        actor=user,
        note=_("%(reason)s (open until %(until)s)") % {"reason": reason, "until": f"{until:%Y-%m-%d}"},
    )
    notify(
        recipients=_responsible(unit),
        title=_("Your report for %(month)s may be submitted until %(until)s")
        % {"month": f"{period:%Y-%m}", "until": f"{until:%Y-%m-%d}"},
        body=reason,
        link=report_link(unit, period),
    )
    return report


@transaction.atomic
def report_reminder_send(*, user: User, units: list[OrgUnit], period: dt.date) -> int:
    """Remind the units below the user that have not submitted their report on `period`.

    Returns the number of units reminded.
    """
    allowed = [unit for unit in units if can_review(user, unit)]
    submitted = set(
        MonthlyReport.objects.filter(unit__in=allowed, period=period)
        .submitted()
        .values_list("unit_id", flat=True)
    )
    waiting = [unit for unit in allowed if unit.pk not in submitted]
    if not waiting:
        return 0
    by_unit = people_by_unit(waiting, set().union(*(PREPARERS[unit.kind] for unit in waiting)))
    for unit in waiting:
        deadline = periods.report_due_date(unit.kind, period)
        notify(
            recipients=by_unit[unit.pk],
            title=_("Reminder: the report for %(month)s is due by %(due)s")
            % {"month": f"{period:%Y-%m}", "due": f"{deadline:%Y-%m-%d}"},
            body=_("Sent by %(sender)s.") % {"sender": user},
            link=report_link(unit, period),
        )
    return len(waiting)


def can_write_article(user: User) -> bool:
    """Community staff write articles about their community's activities; volunteers do not."""
    unit = user.org_unit
    return unit is not None and unit.kind == OrgUnitKind.COMMUNITY and user.role != Role.VOLUNTEER


@transaction.atomic
def article_submit(
    *,
    user: User,
    title: str,
    activity_ended_on: dt.date,
    body: str,
    community: OrgUnit | None = None,
    pictures: Sequence = (),
    video=None,
) -> Article:
    """File an article about an activity; it is late after the day following the activity's end.

    Its pictures and video are all checked before anything is kept, so a refused file leaves nothing.
    """
    community = community or user.org_unit
    if not can_write_article(user) or user.org_unit_id != community.pk:
        raise PermissionDenied
    now = timezone.now()
    if activity_ended_on > timezone.localdate(now):
        raise ValidationError({"activity_ended_on": _("The activity cannot end in the future.")})
    bounds.check_event(activity_ended_on, unit=community, field="activity_ended_on")
    media = _read_media(pictures=pictures, video=video, pictures_already=0, has_video=False)
    article = Article.objects.create(
        community=community,
        title=title.strip(),
        activity_ended_on=activity_ended_on,
        body=body.strip(),
        author=user,
        submitted_at=now,
        late=periods.is_late(now, periods.article_deadline(activity_ended_on)),
    )
    _keep_media(article, media, user)
    notify(
        recipients=User.objects.filter(
            org_unit_id=community.parent_id, role__in=REVIEWERS[OrgUnitKind.COMMUNITY], is_active=True
        ),
        title=_("New article from %(community)s: %(title)s")
        % {"community": community, "title": article.title},
        link=reverse("reporting:article", args=[article.pk]),
    )
    return article


@transaction.atomic
def article_forward(*, user: User, article: Article) -> Article:
    """The district passes an article on to the city bureau (由区所及时报市局)."""
    if not can_review(user, article.community):
        raise PermissionDenied
    updated = Article.objects.filter(pk=article.pk, forwarded_at__isnull=True).update(
        forwarded_at=timezone.now(), forwarded_by=user
    )
    article.refresh_from_db()
    if not updated:
        raise ValidationError(_("This article has already been forwarded."))
    return article


def can_change_media(user: User, article: Article) -> bool:
    """The article's community staff add or remove its media until the district forwards it to the city.

    A forwarded article is what the city received: it is kept as it was sent.
    """
    return (
        article.forwarded_at is None and can_write_article(user) and user.org_unit_id == article.community_id
    )


def _read_media(
    *, pictures: Sequence, video, pictures_already: int, has_video: bool
) -> list[tuple[str, object]]:
    """Check every file (pictures exactly like patrol photos) and return (kind, checked data) pairs."""
    if pictures_already + len(pictures) > ARTICLE_PICTURES_MAX:
        raise ValidationError(
            {"pictures": _("An article has at most %(max)d pictures.") % {"max": ARTICLE_PICTURES_MAX}}
        )
    if video is not None and has_video:
        raise ValidationError({"video": _("This article already has a video; remove it first.")})
    media: list[tuple[str, object]] = []
    for picture in pictures:
        try:
            media.append((MediaKind.PICTURE, read_photo(picture)))
        except ValidationError as error:
            raise ValidationError({"pictures": error.messages}) from None
    if video is not None:
        media.append((MediaKind.VIDEO, read_video(video)))
    return media


def _keep_media(article: Article, media: list[tuple[str, object]], user: User) -> list[ArticleMedia]:
    kept = []
    for kind, data in media:
        if kind == MediaKind.PICTURE:
            row = ArticleMedia(
                article=article,
                kind=kind,
                content_type="image/jpeg",
                size=len(data.content),
                uploaded_by=user,
            )
        else:
            row = ArticleMedia(
                article=article, kind=kind, content_type=data.content_type, size=data.size, uploaded_by=user
            )
        row.file.save("upload", data.content, save=False)
        row.save()
        kept.append(row)
    return kept


@transaction.atomic
def article_media_add(
    *, user: User, article: Article, pictures: Sequence = (), video=None
) -> list[ArticleMedia]:
    """Add pictures or the video to an article not yet forwarded; all files are checked before any is kept."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not can_change_media(user, article):
        raise PermissionDenied
    counts = {kind: 0 for kind in MediaKind.values}
    for kind in article.media.values_list("kind", flat=True):
        counts[kind] += 1
    media = _read_media(
        pictures=pictures,
        video=video,
        pictures_already=counts[MediaKind.PICTURE],
        has_video=bool(counts[MediaKind.VIDEO]),
    )
    return _keep_media(article, media, user)


@transaction.atomic
def article_media_remove(*, user: User, media: ArticleMedia) -> None:
    """Remove a picture or the video of an article not yet forwarded; the file goes once the row is gone."""
    article = Article.objects.select_for_update().get(pk=media.article_id)
    if not can_change_media(user, article):
        raise PermissionDenied
    media.delete()
    transaction.on_commit(lambda: media.file.storage.delete(media.file.name))
