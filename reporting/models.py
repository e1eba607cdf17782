"""Monthly roll-up reports (逐级报送) and activity articles (信息稿件), §6.

A community reports on the previous month by the 5th, its district on the
same month by the 10th (settings.REPORT_DUE_DAYS). A submitted report keeps a
snapshot of its figures, so later changes to the records do not change what
was reported.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, Role, record_scope_q
from reporting import periods

# Who writes and submits a unit's report, and who above it reviews it.
PREPARERS = {
    OrgUnitKind.COMMUNITY: frozenset({Role.COMMUNITY_HEAD, Role.INFO_OFFICER, Role.SUPERVISING_LEADER}),
    OrgUnitKind.DISTRICT: frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON}),
}
REVIEWERS = {
    OrgUnitKind.COMMUNITY: frozenset({Role.DISTRICT_OFFICER, Role.DISTRICT_LIAISON}),
    OrgUnitKind.DISTRICT: frozenset({Role.CITY_OFFICER, Role.ADMIN}),
}
# The tiers that file monthly reports.
REPORTING_KINDS = (OrgUnitKind.COMMUNITY, OrgUnitKind.DISTRICT)


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")


class MonthlyReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[MonthlyReport]:
        """A unit's own reports and those of the units below it; volunteers none."""
        return self.filter(record_scope_q(user, "unit"))

    def submitted(self) -> QuerySet[MonthlyReport]:
        return self.filter(status=ReportStatus.SUBMITTED)

    def for_period(self, period: dt.date) -> QuerySet[MonthlyReport]:
        return self.filter(period=period)


class MonthlyReport(models.Model):
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="monthly_reports",
        limit_choices_to={"kind__in": REPORTING_KINDS},
    )
    period = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    narrative = models.TextField(_("work summary"), blank=True)
    # Frozen at submission: the figures as they stood when the unit signed them.
    figures = models.JSONField(_("figures"), default=dict, blank=True, editable=False)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    late = models.BooleanField(_("late"), default=False)
    returned_reason = models.TextField(_("reason for returning"), blank=True)
    # Set by an exception granted from the level above: the locked period is
    # open to this unit again until then.
    reopened_until = models.DateTimeField(
        _("reopened until"), null=True, blank=True, validators=[bounds.validate_day]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-period", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period"], name="monthly_report_once_per_month"),
            models.CheckConstraint(condition=Q(period__day=1), name="monthly_report_period_first_day"),
            bounds.stored_range_constraint(
                "reopened_until", moment=True, name="monthly_report_reopened_until_stored_range"
            ),
        ]
        indexes = [models.Index(fields=["period", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.period:%Y-%m}"

    @property
    def tier(self) -> str:
        return self.unit.kind

    @property
    def deadline(self) -> dt.datetime:
        return periods.report_deadline(self.tier, self.period)

    @property
    def is_submitted(self) -> bool:
        return self.status == ReportStatus.SUBMITTED

    def is_locked(self, now: dt.datetime | None = None) -> bool:
        """Past its deadline and not reopened by the level above (a return reopens it too)."""
        now = now or timezone.now()
        if self.status == ReportStatus.RETURNED:
            return False
        if self.reopened_until and now < self.reopened_until:
            return False
        return now >= self.deadline

    def is_open_for_editing(self, now: dt.datetime | None = None) -> bool:
        return not self.is_submitted and not self.is_locked(now)


def period_locked(*, unit_id: int, kind: str, period: dt.date, now: dt.datetime | None = None) -> bool:
    """Whether a unit's month is closed to new records: its report's deadline has passed and no
    exception from the level above (a reopening, or a return) has opened it again (§6)."""
    now = now or timezone.now()
    if now < periods.report_deadline(kind, period):
        return False  # the common case, a record of this month or last: no need to read the report
    report = MonthlyReport.objects.filter(unit_id=unit_id, period=period).first()
    return report is None or report.is_locked(now)


class ReportAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    REOPENED = "reopened", _("Reopened after the deadline")
    REMINDED = "reminded", _("Reminder sent")


class ReportEvent(models.Model):
    """The log of a report: submissions, returns, and exceptions granted after the deadline."""

    report = models.ForeignKey(
        MonthlyReport, verbose_name=_("monthly report"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=12, choices=ReportAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acted by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("report event")
        verbose_name_plural = _("report events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report}{gettext(': ')}{self.get_action_display()}"


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Article]:
        return self.filter(record_scope_q(user, "community"))

    def in_period(self, period: dt.date) -> QuerySet[Article]:
        return self.filter(activity_ended_on__range=(period, periods.period_last_day(period)))


class Article(models.Model):
    """An information article (信息稿件) on an important activity, due the day after it ends."""

    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="articles",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    title = models.CharField(_("title"), max_length=120)
    activity_ended_on = models.DateField(_("activity ended on"), validators=[bounds.validate_past_day])
    body = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    late = models.BooleanField(_("late"), default=False)
    forwarded_at = models.DateTimeField(_("forwarded to the city at"), null=True, blank=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("forwarded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["community", "activity_ended_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def deadline(self) -> dt.datetime:
        return periods.article_deadline(self.activity_ended_on)


# An article shows what was done in words, pictures and a short video (文字、图片、视频, seed 000).
ARTICLE_PICTURES_MAX = 9


class MediaKind(models.TextChoices):
    PICTURE = "picture", _("Picture")
    VIDEO = "video", _("Video")


def article_media_path(instance: ArticleMedia, filename: str) -> str:
    """The server chooses the name and extension from the checked content, never the upload's name."""
    extension = {"image/jpeg": "jpg", "video/mp4": "mp4", "video/webm": "webm"}[instance.content_type]
    return f"articles/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ArticleMediaQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[ArticleMedia]:
        return self.filter(article__in=Article.objects.visible_to(user))


class ArticleMedia(models.Model):
    """A picture or the one video of an article, checked by its content and served only by scope."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="media"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=MediaKind.choices)
    file = models.FileField(_("file"), upload_to=article_media_path, max_length=120)
    content_type = models.CharField(_("content type"), max_length=16, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ArticleMediaQuerySet.as_manager()

    class Meta:
        verbose_name = _("article picture or video")
        verbose_name_plural = _("article pictures and videos")
        ordering = ["kind", "uploaded_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["article"], condition=Q(kind="video"), name="article_one_video"),
            models.CheckConstraint(
                condition=Q(kind="picture", content_type="image/jpeg")
                | Q(kind="video", content_type__in=["video/mp4", "video/webm"]),
                name="article_media_kind_matches_type",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} #{self.pk}"


def summary_path(instance: StoredSummary, filename: str) -> str:
    return f"summaries/{instance.period:%Y-%m}/{instance.unit.code}.pdf"


class StoredSummary(models.Model):
    """The PDF summary of a unit's month, made once its deadline has passed and kept as sent."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    period = models.DateField(_("month"))
    file = models.FileField(_("file"), upload_to=summary_path)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored summary")
        verbose_name_plural = _("stored summaries")
        ordering = ["-period", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["unit", "period"], name="one_summary_per_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit} {self.period:%Y-%m}"
