"""A community's proposal to change what the district sets in the register (§3, patrols.governance)."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from orgs.models import record_scope_q
from patrols.models.establishments import Establishment


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the district")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")


class ChangeProposalQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[EstablishmentChangeProposal]:
        """Like the establishment itself: its community's staff, its district, the city."""
        return self.filter(record_scope_q(user, "establishment__community"))

    def pending(self) -> QuerySet[EstablishmentChangeProposal]:
        return self.filter(status=ProposalStatus.PENDING)


class EstablishmentChangeProposal(models.Model):
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("establishment"),
        on_delete=models.PROTECT,
        related_name="change_proposals",
    )
    # {field: new value}, only fields of patrols.governance.PROPOSABLE_FIELDS; dates as ISO text.
    changes = models.JSONField(_("proposed changes"), encoder=DjangoJSONEncoder)
    reason = models.CharField(_("reason"), max_length=100)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)

    objects = ChangeProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed register change")
        verbose_name_plural = _("proposed register changes")
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["establishment", "status"])]

    def __str__(self) -> str:
        return f"{self.establishment} · {self.get_statusfield_display()}"

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, value now, proposed value) in the user's language, for pages and notices."""
        rows = []
        for name, value in self.changes.items():
            field = Establishment._meta.get_field(name)
            proposed = field.to_python(value)
            rows.append(
                (
                    str(field.verbose_name),
                    field_display(field, getattr(self.establishment, name)),
                    field_display(field, proposed),
                )
            )
        return rows


def field_display(field, value) -> str:
    """A value of an establishment's field as people read it: the choice's label, "—" for none."""
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)
