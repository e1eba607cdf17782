"""Leads (线索/举报) and the reward ledger (§5)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orgs.models import OrgUnit, OrgUnitKind, record_scope_q
from patrols.models.establishments import Establishment
from patrols.models.records import Finding

# A lead filed as a case earns its reporter this reward (seed 000 (九)).
LEAD_REWARD_YUAN = Decimal("100.00")


class LeadSource(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    INFO_OFFICER = "info_officer", _("Information officer")
    PUBLIC = "public", _("Member of the public")
    # The district office itself, e.g. a positive result in its rapid-test room: no reward.
    DISTRICT = "district", _("District office")


class LeadStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    VERIFYING = "verifying", _("Being verified")
    ESCALATED = "escalated", _("Escalated to the city")
    FILED = "filed", _("Filed as a case")
    DISMISSED = "dismissed", _("Dismissed")


# Once here, a lead's outcome is settled.
CLOSED_LEAD_STATUSES = frozenset({LeadStatus.FILED, LeadStatus.DISMISSED})


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Lead]:
        """Community staff see their community's leads, a volunteer none; the
        district sees its communities' leads, the city all of them."""
        return self.filter(record_scope_q(user, "community"))

    def open(self) -> QuerySet[Lead]:
        return self.exclude(status__in=CLOSED_LEAD_STATUSES)


class Lead(models.Model):
    community = models.ForeignKey(
        OrgUnit,
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="leads",
        limit_choices_to={"kind": OrgUnitKind.COMMUNITY},
    )
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
    )
    finding = models.OneToOneField(
        Finding,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead",
        verbose_name=_("finding"),
    )
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices)
    description = models.TextField(_("what was seen"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads_reported",
    )
    # A member of the public: kept for the reward, never shown to the shop.
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.REPORTED
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-reported_at", "-pk"]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.reported_at:%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_LEAD_STATUSES


class LeadEvent(models.Model):
    """One time-stamped step in a lead's life, visible to its reporter."""

    lead = models.ForeignKey(Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=12, choices=LeadStatus.choices)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("acted by"), on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("lead step")
        verbose_name_plural = _("lead steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.lead}{gettext(': ')}{self.get_status_display()}"


class RewardQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[Reward]:
        return self.filter(record_scope_q(user, "lead__community"))


class Reward(models.Model):
    """The reward ledger: one entry per lead filed as a case."""

    lead = models.OneToOneField(Lead, verbose_name=_("lead"), on_delete=models.PROTECT, related_name="reward")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rewards",
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=8, decimal_places=2, default=LEAD_REWARD_YUAN)
    credited_at = models.DateTimeField(_("credited at"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    objects = RewardQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["-credited_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reward_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reporter or self.reporter_name} ¥{self.amount}"
