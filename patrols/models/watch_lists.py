"""The red and black lists a district publishes (§3): snapshots, shown to the public, never changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from config import bounds
from orgs.models import OrgUnit, OrgUnitKind
from patrols.models.establishments import WatchList
from patrols.models.incidents import ImmutableError


class WatchListPublication(models.Model):
    """The district's red and black lists as they stood when it published them."""

    district = models.ForeignKey(
        OrgUnit,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="watch_list_publications",
        limit_choices_to={"kind": OrgUnitKind.DISTRICT},
    )
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("red and black list publication")
        verbose_name_plural = _("red and black list publications")
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["district", "-published_at"])]
        constraints = [
            bounds.stored_range_constraint(
                "published_at", moment=True, name="watch_list_publication_published_at_stored_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.district} {self.published_at:%Y-%m-%d}"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise ImmutableError(_("A published list cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError(_("A published list cannot be deleted."))


class WatchListEntry(models.Model):
    """One establishment on a published list, copied as the register held it."""

    publication = models.ForeignKey(
        WatchListPublication, verbose_name=_("publication"), on_delete=models.PROTECT, related_name="entries"
    )
    watch_list = models.CharField(
        _("watch list"), max_length=8, choices=[c for c in WatchList.choices if c[0]]
    )
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200)
    licence_no = models.CharField(_("licence no."), max_length=50, blank=True)
    community_name = models.CharField(_("community"), max_length=100)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    reason = models.CharField(_("reason for listing"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("published list entry")
        verbose_name_plural = _("published list entries")
        ordering = ["publication", "watch_list", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(watch_list__in=[WatchList.RED, WatchList.BLACK]),
                name="watch_list_entry_on_a_list",
            ),
            bounds.stored_range_constraint(
                "listed_on", moment=False, name="watch_list_entry_listed_on_stored_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_watch_list_display()})"

    def save(self, *args, **kwargs) -> None:
        if self.pk:
            raise ImmutableError(_("A published list cannot be changed."))
        super().save(*args, **kwargs)
