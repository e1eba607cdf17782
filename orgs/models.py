"""Org units (city → district → community → grid) and the people in them.

Access scoping for the whole product lives here: `OrgUnit.path` is a
materialised path ("/310000/310101/310101001/"), and `scope_q()` turns a user
into a filter on any model that points at an org unit. Every model's
`visible_to(user)` is built on it, so the rule is written once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config import bounds

if TYPE_CHECKING:
    from django.db.models import QuerySet

# A patrol team needs at least this many inspectors (§2).
MIN_TEAM_SIZE = 2


class OrgUnitKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    COMMUNITY = "community", _("Community")
    GRID = "grid", _("Grid")


# Which kind of unit may sit directly below which.
CHILD_KIND = {
    OrgUnitKind.CITY: OrgUnitKind.DISTRICT,
    OrgUnitKind.DISTRICT: OrgUnitKind.COMMUNITY,
    OrgUnitKind.COMMUNITY: OrgUnitKind.GRID,
}


def scope_q(user, field: str = "") -> Q:
    """A filter that keeps rows whose org unit at `field` the user may see.

    `field` is the lookup path from the model to an OrgUnit ("community",
    "establishment__community"); "" means the model is OrgUnit itself.
    A user sees their own unit and everything below it; a superuser sees all;
    a user without a unit sees nothing.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    unit = user.org_unit
    if unit is None:
        return Q(pk__in=[])
    if unit.kind == OrgUnitKind.COMMUNITY and field:
        # The common case, a community user: records hang on the community
        # itself, so compare ids and spare the join on the path.
        return Q(**{f"{field}_id": unit.pk})
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}path__startswith": unit.path})


def record_scope_q(user, field: str) -> Q:
    """scope_q for the records of people's work, which volunteers may not read (§1)."""
    if getattr(user, "role", None) == Role.VOLUNTEER:
        return Q(pk__in=[])
    return scope_q(user, field)


class OrgUnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[OrgUnit]:
        return self.filter(scope_q(user))

    def communities(self) -> QuerySet[OrgUnit]:
        return self.filter(kind=OrgUnitKind.COMMUNITY)

    def districts(self) -> QuerySet[OrgUnit]:
        return self.filter(kind=OrgUnitKind.DISTRICT)

    def active(self) -> QuerySet[OrgUnit]:
        return self.filter(closed_on__isnull=True)


code_validator = RegexValidator(r"^[0-9A-Za-z-]{2,20}$", _("Use 2 to 20 letters, digits or dashes."))


class OrgUnit(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=OrgUnitKind.choices)
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        validators=[code_validator],
        help_text=_("Administrative division code, unique in the city."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True, validators=[bounds.validate_day])
    closed_on = models.DateField(_("closed on"), null=True, blank=True, validators=[bounds.validate_day])

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # The path is the unit's position in the tree; code and parent are
        # fixed once the unit exists (the admin shows them read-only).
        self.path = self.build_path()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.kind == OrgUnitKind.CITY:
            if self.parent_id:
                raise ValidationError({"parent": _("A city has no parent unit.")})
        elif self.parent is None or CHILD_KIND.get(self.parent.kind) != self.kind:
            raise ValidationError(
                {
                    "parent": _("A %(kind)s must belong to a %(parent)s.")
                    % {
                        "kind": self.get_kind_display(),
                        "parent": _parent_kind_label(self.kind),
                    }
                }
            )

    def build_path(self) -> str:
        parent_path = self.parent.path if self.parent_id else "/"
        return f"{parent_path}{self.code}/"

    def is_within(self, other: OrgUnit) -> bool:
        return self.path.startswith(other.path)

    @property
    def district(self) -> OrgUnit | None:
        unit: OrgUnit | None = self
        while unit is not None and unit.kind != OrgUnitKind.DISTRICT:
            unit = unit.parent
        return unit


def _parent_kind_label(kind: str) -> str:
    for parent, child in CHILD_KIND.items():
        if child == kind:
            return str(parent.label)
    return ""


class Role(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    INFO_OFFICER = "info_officer", _("Information officer")
    VOLUNTEER = "volunteer", _("Volunteer")
    COMMUNITY_HEAD = "community_head", _("Community head")
    SUPERVISING_LEADER = "supervising_leader", _("Supervising leader")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    DISTRICT_LIAISON = "district_liaison", _("District liaison")
    CITY_OFFICER = "city_officer", _("City officer")
    ADMIN = "admin", _("Administrator")


# The kind of org unit each role belongs to (§1).
ROLE_UNIT_KIND = {
    Role.INSPECTOR: OrgUnitKind.COMMUNITY,
    Role.INFO_OFFICER: OrgUnitKind.COMMUNITY,
    Role.VOLUNTEER: OrgUnitKind.COMMUNITY,
    Role.COMMUNITY_HEAD: OrgUnitKind.COMMUNITY,
    Role.SUPERVISING_LEADER: OrgUnitKind.COMMUNITY,
    Role.DISTRICT_OFFICER: OrgUnitKind.DISTRICT,
    Role.DISTRICT_LIAISON: OrgUnitKind.DISTRICT,
    Role.CITY_OFFICER: OrgUnitKind.CITY,
    Role.ADMIN: OrgUnitKind.CITY,
}

# Roles that may create and edit establishments in their scope.
REGISTRY_EDITORS = frozenset(
    {
        Role.INSPECTOR,
        Role.COMMUNITY_HEAD,
        Role.SUPERVISING_LEADER,
        Role.DISTRICT_OFFICER,
        Role.DISTRICT_LIAISON,
        Role.CITY_OFFICER,
        Role.ADMIN,
    }
)


# A mainland China mobile number, the only kind an SMS reaches.
mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number."))

# The outside channels a person may choose for their notices (notifications.channels sends them);
# the in-app notification centre always has every notice.
NOTICE_CHANNELS = ("email", "sms", "wecom", "dingtalk")


def default_notice_channels() -> list[str]:
    """E-mail and the unit's work groups; SMS costs money and only urgent notices take it unasked."""
    return ["email", "wecom", "dingtalk"]


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet[User]:
        return self.filter(scope_q(user, "org_unit"))

    def inspectors(self) -> QuerySet[User]:
        return self.filter(role=Role.INSPECTOR, is_active=True)


class AppUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.INSPECTOR)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    certificate_no = models.CharField(
        _("inspector certificate no."),
        max_length=30,
        blank=True,
        help_text=_("The number on the inspector's certificate, shown at each visit."),
    )
    mobile = models.CharField(
        _("mobile for SMS"),
        max_length=11,
        blank=True,
        validators=[mobile_validator],
        help_text=_("Urgent notices, and others if you choose SMS, are sent to this number."),
    )
    notice_channels = models.JSONField(
        _("notify me by"),
        default=default_notice_channels,
        blank=True,
        help_text=_("Besides the notification centre. Urgent notices go to every channel regardless."),
    )

    objects = AppUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["org_unit", "role"])]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        super().clean()
        expected = ROLE_UNIT_KIND.get(self.role)
        if self.org_unit is not None and expected and self.org_unit.kind != expected:
            raise ValidationError(
                {
                    "org_unit": _("A %(role)s belongs to a %(kind)s.")
                    % {
                        "role": self.get_role_display(),
                        "kind": expected.label,
                    }
                }
            )
        if self.role == Role.INSPECTOR and self.is_active and not self.certificate_no:
            raise ValidationError({"certificate_no": _("An inspector needs a certificate number.")})

    @property
    def tier(self) -> str:
        """The kind of unit this user works at: community, district or city."""
        if self.is_superuser:
            return OrgUnitKind.CITY
        return ROLE_UNIT_KIND.get(self.role, OrgUnitKind.COMMUNITY)

    def wants_notices_by(self, channel: str) -> bool:
        return channel in (self.notice_channels or ())

    @property
    def can_view_registry(self) -> bool:
        return self.is_superuser or self.role != Role.VOLUNTEER

    @property
    def can_edit_registry(self) -> bool:
        return self.is_superuser or self.role in REGISTRY_EDITORS
