"""Factories for test data. Org units build their own tree above them."""

from __future__ import annotations

import datetime as dt
from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from orgs.models import OrgUnit, OrgUnitKind, Role, User
from patrols.models import Category, Establishment, RiskClass


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    kind = OrgUnitKind.CITY
    code = "3300"
    name = "临江市"


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    kind = OrgUnitKind.DISTRICT
    parent = factory.SubFactory(CityFactory)
    code = factory.Sequence(lambda n: f"3301{n:02d}")
    name = factory.Sequence(lambda n: f"第{n}区")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    kind = OrgUnitKind.COMMUNITY
    parent = factory.SubFactory(DistrictFactory)
    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}社区")


TEST_PASSWORD = "pw-for-tests-1"


@cache
def hashed_password(raw: str) -> str:
    """A password hashed once per run with the production hasher, then shared by every test user.

    Hashing it per user (factory.django.Password's default) cost a quarter of a second for each of
    the thousands of users the suite makes; a login still checks it the production way.
    """
    return make_password(raw)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.INSPECTOR
    org_unit = factory.SubFactory(CommunityFactory)
    certificate_no = factory.Sequence(lambda n: f"XC-{n:04d}")
    password = factory.django.Password(TEST_PASSWORD, transform=hashed_password)


class EstablishmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Establishment
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"商户{n}")
    address = factory.Sequence(lambda n: f"文三路{n}号")
    licence_no = factory.Sequence(lambda n: f"JY1330{n:08d}")
    community = factory.SubFactory(CommunityFactory)
    category = Category.FOOD_RETAIL
    risk_class = RiskClass.B
    registered_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=400))

    @factory.post_generation
    def derive_due(obj, create, extracted, **kwargs):
        obj.refresh_visit_due()
        if create:
            obj.save(update_fields=["next_visit_due"])
