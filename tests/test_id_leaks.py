"""An id outside the requester's scope gets the same answer as an id that does not exist (§1): a body
that names a user, an establishment, a finding or an org unit reveals nothing about what it names."""

from __future__ import annotations

import uuid

import pytest

from orgs.models import Role
from patrols.models import Finding, Lead, Patrol, Visit
from patrols.services import records as services
from publicity.model_units import model_targets_from_plan
from publicity.models import ModelCandidate, ModelCategory, ModelTarget
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEVER = 987654321  # an id no row has


def answer(api, url: str, body: dict, named_id: int) -> tuple[int, str]:
    """The response, with the id it was given written out, so two answers can be compared."""
    response = api.post(url, body, format="json")
    return response.status_code, response.content.decode().replace(str(named_id), "<id>")


def assert_same_answer(api, url: str, body_for, outside_id: int) -> None:
    outside, missing = (
        answer(api, url, body_for(outside_id), outside_id),
        answer(api, url, body_for(NEVER), NEVER),
    )
    assert outside == missing
    assert outside[0] == 400


def test_a_team_member_of_another_community_is_answered_like_no_one(api, inspector_a, partner_a, community_c):
    stranger = UserFactory(role=Role.INSPECTOR, org_unit=community_c, full_name="陈军")
    api.force_authenticate(inspector_a)
    assert_same_answer(api, "/api/patrols/", lambda pk: {"team": [partner_a.pk, pk]}, stranger.pk)
    assert "陈军" not in api.post("/api/patrols/", {"team": [stranger.pk]}, format="json").content.decode()
    assert not Patrol.objects.exists()


def test_establishments_and_findings_of_another_community_are_answered_like_none(
    api, inspector_a, partner_a, inspector_b, shop_a, shop_b
):
    patrol, _ = services.patrol_start(user=inspector_a, team=[partner_a])
    other_patrol, _ = services.patrol_start(
        user=inspector_b, team=[UserFactory(org_unit=inspector_b.org_unit)]
    )
    other_visit, _ = services.visit_record(
        user=inspector_b,
        patrol=other_patrol,
        establishment=shop_b,
        result="issues",
        finding_items=[services.FindingInput(kind="safety_risk", category="hygiene", description="积水")],
    )
    finding = Finding.objects.get(visit=other_visit)
    api.force_authenticate(inspector_a)

    def visit(**fields):
        return {"patrol": str(patrol.client_id), "establishment": shop_a.pk, "result": "compliant", **fields}

    assert_same_answer(api, "/api/visits/", lambda pk: visit(establishment=pk), shop_b.pk)
    assert_same_answer(
        api, "/api/visits/", lambda pk: visit(client_id=str(uuid.uuid4()), follow_up_of=pk), finding.pk
    )
    assert_same_answer(api, "/api/leads/", lambda pk: {"establishment": pk, "description": "无证"}, shop_b.pk)
    assert Visit.objects.filter(patrol=patrol).count() == 0
    assert not Lead.objects.exists()


def test_a_candidate_in_another_district_is_answered_like_none(
    api, district_officer_a, district_a, community_c, shop_c
):
    model_targets_from_plan(user=district_officer_a, district=district_a, year=2026)
    target = ModelTarget.objects.get(district=district_a, year=2026, category=ModelCategory.FOOD_SERVICE)
    api.force_authenticate(district_officer_a)
    url = "/api/model-candidates/"
    assert_same_answer(
        api, url, lambda pk: {"target": target.pk, "name": "x", "establishment": pk}, shop_c.pk
    )
    assert_same_answer(
        api, url, lambda pk: {"target": target.pk, "name": "x", "community": pk}, community_c.pk
    )
    assert not ModelCandidate.objects.exists()


def test_ids_beyond_what_a_row_can_have_are_refused_not_a_server_error(api, inspector_a, head_a):
    too_big = 59842060814082088183344922624
    api.force_authenticate(inspector_a)
    response = api.post("/api/notifications/mark-read/", {"ids": [5, too_big]}, format="json")
    assert response.status_code == 400
    api.force_authenticate(head_a)
    response = api.post("/api/patrols/approve-many/", {"ids": [too_big]}, format="json")
    assert response.status_code == 400
