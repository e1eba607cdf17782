"""Food and drug safety incidents (§5): first report within one hour, follow-ups until closed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind, record_scope_q
from patrols.models.establishments import Establishment

# 初报不超过1小时: the first report must reach the district within this time.
FIRST_REPORT_WINDOW = dt.timedelta(hours=1)


def is_late_first_report(occurred_at: dt.datetime, reported_at: dt.datetime) -> bool:
    return reported_at - occurred_at > FIRST_REPORT_WINDOW


class ImmutableError(ValidationError):
    pass


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Incident]:
        return self.filter(record_scope_q(user, "community"))

    def open(self) -> QuerySet[Incident]:
        return self.filter(closed_at__isnull=True)

    def escalated(self) -> QuerySet[Incident]:
        return self.filter(escalated_at__isnull=False)


# What escalation sets, once (services.incidents.incident_escalate).
ESCALATION_FIELDS = ("escalated_at", "escalated_by", "escalation_note")
ESCALATION_NOTE_MAX_LENGTH = 500


class Incident(models.Model):
    """The first report (初报). Never edited or deleted: later facts come as IncidentReports."""

    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="incidents",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
    )
    unit_name = models.CharField(_("unit involved"), max_length=120)
    place = models.CharField(_("place"), max_length=200)
    occurred_at = models.DateTimeField(_("happened at"), validators=[bounds.validate_past_moment])
    reported_at = models.DateTimeField(_("reported at"))
    facts = models.TextField(_("basic facts"))
    people_affected = models.PositiveIntegerField(
        _("people affected"), default=0, validators=[bounds.validate_count]
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    first_report_late = models.BooleanField(_("first report late"), default=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Sent up to the city bureau by the district office: once, stamped by the server, never undone.
    escalated_at = models.DateTimeField(_("escalated to the city at"), null=True, blank=True)
    escalated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    escalation_note = models.CharField(
        _("reason for escalation"), max_length=ESCALATION_NOTE_MAX_LENGTH, blank=True
    )

    objects = IncidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["community", "occurred_at"])]
        constraints = [
            bounds.stored_range_constraint(
                "occurred_at", moment=True, name="incident_occurred_at_stored_range"
            ),
            bounds.stored_range_constraint(
                "reported_at", moment=True, name="incident_reported_at_stored_range"
            ),
            bounds.stored_range_constraint(
                "escalated_at", moment=True, name="incident_escalated_at_stored_range"
            ),
            models.CheckConstraint(
                condition=models.Q(escalated_at__isnull=True, escalated_by__isnull=True)
                | models.Q(escalated_at__isnull=False, escalated_by__isnull=False),
                name="incident_escalated_with_who",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        # 不得瞒报、迟报、谎报: a report, once made, stays as it was made. Only
        # the closing time may be set, once, by a final follow-up report
        # (services.incidents.incident_follow_up), and the escalation to the
        # city, once, by the district office (services.incidents.incident_escalate).
        fields = kwargs.get("update_fields")
        if self.pk and (fields is None or tuple(fields) not in (("closed_at",), ESCALATION_FIELDS)):
            raise ImmutableError(_("An incident report cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("An incident report cannot be deleted."))

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def is_escalated(self) -> bool:
        return self.escalated_at is not None


class IncidentReport(models.Model):
    """A follow-up report (续报); the last one may close the incident."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("incident"), on_delete=models.PROTECT, related_name="reports"
    )
    text = models.TextField(_("report"))
    is_final = models.BooleanField(_("final report"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"))

    class Meta:
        verbose_name = _("follow-up report")
        verbose_name_plural = _("follow-up reports")
        ordering = ["reported_at", "pk"]
        constraints = [
            bounds.stored_range_constraint(
                "reported_at", moment=True, name="incident_report_reported_at_stored_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.incident} +{self.reported_at:%H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise ImmutableError(_("A follow-up report cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("A follow-up report cannot be deleted."))
