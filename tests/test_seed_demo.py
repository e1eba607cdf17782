from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from orgs.models import OrgUnit, Role, User
from patrols.models import Category, Establishment, Patrol, PatrolStatus, Visit

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def test_seed_demo_builds_a_city_and_is_safe_to_run_twice():
    output = seed()
    models = (OrgUnit, User, Establishment, Patrol, Visit)
    counts = [model.objects.count() for model in models]
    assert "demo12345" in seed()
    assert [model.objects.count() for model in models] == counts
    assert Patrol.objects.filter(status=PatrolStatus.ARCHIVED).exists()
    assert Patrol.objects.filter(status=PatrolStatus.SUBMITTED).exists()

    districts = OrgUnit.objects.districts()
    assert districts.count() >= 3
    for district in districts:
        assert district.children.filter(kind="community").count() >= 4
    for community in OrgUnit.objects.communities():
        assert community.establishments.count() >= 20
        assert community.members.filter(role=Role.INSPECTOR).count() >= 2
        assert community.members.filter(role=Role.SUPERVISING_LEADER).count() == 1
    assert set(Establishment.objects.values_list("category", flat=True)) == set(Category.values)
    for role in Role.values:
        assert User.objects.filter(role=role).exists(), role
    assert "insp-330101001-1" in output and "admin" in output
