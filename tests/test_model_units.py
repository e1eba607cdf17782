"""Model units (示范创建, §8): the plan's targets, candidates, progress, and who may change them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patrols.models import Category, Establishment
from publicity.model_units import (
    PLAN_TARGETS,
    model_candidate_add,
    model_candidate_set_status,
    model_progress,
    model_targets_from_plan,
)
from publicity.models import CandidateStatus, ModelCandidate, ModelCategory, ModelTarget
from tests.factories import EstablishmentFactory, UserFactory

YEAR = 2026


@pytest.fixture
def targets_a(district_a, district_officer_a):
    model_targets_from_plan(user=district_officer_a, district=district_a, year=YEAR)
    return {t.category: t for t in ModelTarget.objects.filter(district=district_a, year=YEAR)}


@pytest.fixture
def restaurant_a(community_a):
    return EstablishmentFactory(community=community_a, name="翠苑酒家", category=Category.FOOD_SERVICE)


def test_plan_creates_the_plans_targets_once(district_officer_a, district_a, district_c):
    assert model_targets_from_plan(user=district_officer_a, district=district_a, year=YEAR) == len(
        PLAN_TARGETS
    )
    targets = ModelTarget.objects.filter(district=district_a, year=YEAR)
    by_category = {t.category: (t.department, t.target) for t in targets}
    assert by_category[ModelCategory.COMMUNITY] == ("农村工作局", 2)
    assert by_category[ModelCategory.FOOD_SERVICE] == ("区食品药品监督所", 4)
    assert by_category[ModelCategory.KINDERGARTEN] == ("文体教育局", 4)
    assert by_category[ModelCategory.FACTORY] == ("经信局", 4)
    assert by_category[ModelCategory.RESIDENTIAL] == ("住建局", 2)
    assert by_category[ModelCategory.MALL] == ("工商分局", 3)
    assert sum(t.target for t in targets) == 27
    assert sum(t.target for t in targets if t.category != ModelCategory.COMMUNITY) == 25

    assert model_targets_from_plan(user=district_officer_a, district=district_a, year=YEAR) == 0
    assert targets.count() == len(PLAN_TARGETS)
    assert not ModelTarget.objects.filter(district=district_c).exists()


def test_plan_fills_in_only_the_missing_categories(district_officer_a, district_a):
    ModelTarget.objects.create(
        district=district_a, year=YEAR, category=ModelCategory.MALL, department="商务局", target=5
    )
    assert model_targets_from_plan(user=district_officer_a, district=district_a, year=YEAR) == 9
    assert ModelTarget.objects.get(district=district_a, year=YEAR, category=ModelCategory.MALL).target == 5


def test_plan_button_creates_the_years_targets(client, district_officer_a, district_a):
    client.force_login(district_officer_a)
    page = client.get(reverse("publicity:model_units"), {"year": YEAR})
    assert page.status_code == 200 and page.context["plan_missing"]
    response = client.post(reverse("publicity:model_units_plan"), {"year": YEAR, "district": district_a.pk})
    assert response.status_code == 302
    assert ModelTarget.objects.filter(district=district_a, year=YEAR).count() == len(PLAN_TARGETS)
    page = client.get(reverse("publicity:model_units"), {"year": YEAR})
    assert not page.context["plan_missing"]
    assert len(page.context["progress"]) == len(PLAN_TARGETS)


def test_only_the_districts_office_or_the_city_set_targets_from_the_plan(
    district_a, district_officer_c, head_a, city_officer
):
    for outsider in (district_officer_c, head_a):
        with pytest.raises(PermissionDenied):
            model_targets_from_plan(user=outsider, district=district_a, year=YEAR)
    assert not ModelTarget.objects.exists()
    assert model_targets_from_plan(user=city_officer, district=district_a, year=YEAR) == len(PLAN_TARGETS)


def test_accepting_a_candidate_counts_and_makes_the_establishment_a_model_unit(
    client, district_officer_a, targets_a, restaurant_a, community_a
):
    target = targets_a[ModelCategory.FOOD_SERVICE]
    client.force_login(district_officer_a)
    response = client.post(
        reverse("publicity:model_target", args=[target.pk]),
        {"form": "candidate", "name": "翠苑酒家", "community": "", "establishment": restaurant_a.pk},
    )
    assert response.status_code == 302
    candidate = ModelCandidate.objects.get()
    assert candidate.community == community_a and candidate.status == CandidateStatus.CANDIDATE
    restaurant_a.refresh_from_db()
    assert restaurant_a.model_status == "candidate"

    response = client.post(
        reverse("publicity:model_candidate_status", args=[candidate.pk]),
        {"status": "accepted", "notes": "验收通过"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.ACCEPTED and candidate.notes == "验收通过"
    restaurant_a.refresh_from_db()
    assert restaurant_a.model_status == "model"
    assert restaurant_a.history.first().history_user == district_officer_a

    row = model_progress(ModelTarget.objects.filter(pk=target.pk))[0]
    assert (row["accepted"], row["in_progress"], row["target"], row["percent"]) == (1, 0, 4, 25)

    model_candidate_set_status(user=district_officer_a, candidate=candidate, status=CandidateStatus.WITHDRAWN)
    restaurant_a.refresh_from_db()
    assert restaurant_a.model_status == ""


def test_progress_goes_past_the_target_but_the_bar_stops_full(district_officer_a, targets_a, community_a):
    target = targets_a[ModelCategory.PHARMACY]  # 2 asked for
    for name in ("一", "二", "三"):
        candidate = model_candidate_add(
            user=district_officer_a, target=target, name=name, community=community_a
        )
        model_candidate_set_status(
            user=district_officer_a, candidate=candidate, status=CandidateStatus.ACCEPTED
        )
    row = model_progress(ModelTarget.objects.filter(pk=target.pk))[0]
    assert (row["accepted"], row["percent"], row["bar"], row["remaining"]) == (3, 150, 100, 0)


def test_a_candidate_in_another_districts_community_is_refused(
    client, api, district_officer_a, city_officer, targets_a, community_c, shop_c
):
    target = targets_a[ModelCategory.COMMUNITY]
    with pytest.raises(ValidationError) as refused:
        model_candidate_add(user=district_officer_a, target=target, name="北山社区", community=community_c)
    assert "community" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        model_candidate_add(
            user=city_officer, target=targets_a[ModelCategory.FOOD_SERVICE], name="x", establishment=shop_c
        )
    assert "community" in refused.value.message_dict

    client.force_login(district_officer_a)
    page = client.post(
        reverse("publicity:model_target", args=[target.pk]),
        {"form": "candidate", "name": "北山社区", "community": community_c.pk},
    )
    assert page.status_code == 200 and page.context["candidate_form"].errors

    api.force_authenticate(city_officer)
    response = api.post(
        "/api/model-candidates/", {"target": target.pk, "name": "北山社区", "community": community_c.pk}
    )
    assert response.status_code == 400 and "community" in response.json()
    assert not ModelCandidate.objects.exists()


def test_district_officer_c_cannot_see_district_as_targets(
    client, api, district_officer_a, district_officer_c, targets_a, community_a
):
    target = targets_a[ModelCategory.MALL]
    candidate = model_candidate_add(
        user=district_officer_a, target=target, name="万达", community=community_a
    )
    client.force_login(district_officer_c)
    assert client.get(reverse("publicity:model_target", args=[target.pk])).status_code == 404
    response = client.post(
        reverse("publicity:model_target", args=[target.pk]),
        {"form": "target", "department": "x", "target": 9},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("publicity:model_candidate_status", args=[candidate.pk]), {"status": "accepted"}
    )
    assert response.status_code == 404

    api.force_authenticate(district_officer_c)
    assert api.get(f"/api/model-targets/{target.pk}/").status_code == 404
    assert api.patch(f"/api/model-targets/{target.pk}/", {"target": 9}).status_code == 404
    assert api.patch(f"/api/model-candidates/{candidate.pk}/", {"status": "accepted"}).status_code == 404
    assert api.get("/api/model-targets/").json()["count"] == 0
    target.refresh_from_db()
    candidate.refresh_from_db()
    assert target.target == 3 and candidate.status == CandidateStatus.CANDIDATE


def test_a_community_head_reads_the_districts_targets_but_cannot_change_them(client, api, head_a, targets_a):
    target = targets_a[ModelCategory.FACTORY]
    client.force_login(head_a)
    page = client.get(reverse("publicity:model_units"), {"year": YEAR})
    assert page.status_code == 200
    assert len(page.context["progress"]) == len(PLAN_TARGETS) and not page.context["can_manage"]
    page = client.get(reverse("publicity:model_target", args=[target.pk]))
    assert page.status_code == 200 and not page.context["can_manage"]

    response = client.post(
        reverse("publicity:model_target", args=[target.pk]),
        {"form": "target", "department": "某局", "target": 9},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("publicity:model_target", args=[target.pk]), {"form": "candidate", "name": "厂"}
    )
    assert response.status_code == 403

    api.force_authenticate(head_a)
    assert api.get(f"/api/model-targets/{target.pk}/").status_code == 200
    assert api.patch(f"/api/model-targets/{target.pk}/", {"target": 9}).status_code == 403
    assert api.post("/api/model-candidates/", {"target": target.pk, "name": "厂"}).status_code == 403
    target.refresh_from_db()
    assert (target.department, target.target) == ("经信局", 4)
    assert not ModelCandidate.objects.exists()


def test_the_district_office_edits_a_target(client, district_officer_a, targets_a):
    target = targets_a[ModelCategory.FACTORY]
    client.force_login(district_officer_a)
    response = client.post(
        reverse("publicity:model_target", args=[target.pk]),
        {"form": "target", "department": "工信局", "target": 6},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.department, target.target) == ("工信局", 6)
    page = client.post(
        reverse("publicity:model_target", args=[target.pk]),
        {"form": "target", "department": "工信局", "target": 0},
    )
    assert page.status_code == 200 and page.context["target_form"].errors
    target.refresh_from_db()
    assert target.target == 6


def test_the_city_page_shows_every_district(
    client, city_officer, district_a, district_c, targets_a, community_a
):
    candidate = model_candidate_add(
        user=city_officer, target=targets_a[ModelCategory.COMMUNITY], name="翠苑社区", community=community_a
    )
    model_candidate_set_status(user=city_officer, candidate=candidate, status=CandidateStatus.ACCEPTED)
    client.force_login(city_officer)
    page = client.get(reverse("publicity:model_units"), {"year": YEAR})
    assert page.status_code == 200
    rows = page.context["rollup"]["rows"]
    assert [row["district"] for row in rows] == [district_a, district_c]
    assert rows[0]["has_targets"] and not rows[1]["has_targets"]
    assert rows[0]["totals"]["communities"]["accepted"] == 1
    assert rows[0]["totals"]["all"]["target"] == 27
    assert page.context["rollup"]["totals"]["units"]["target"] == 25
    assert district_a.name in page.text and district_c.name in page.text

    page = client.get(reverse("publicity:model_units"), {"year": YEAR, "district": district_c.pk})
    assert page.status_code == 200 and page.context["district"] == district_c and page.context["plan_missing"]


def test_the_api_lists_targets_with_progress_and_moves_candidates_on(
    api, district_officer_a, targets_a, restaurant_a, district_a
):
    api.force_authenticate(district_officer_a)
    rows = api.get("/api/model-targets/", {"year": YEAR, "district": district_a.pk}).json()["results"]
    assert len(rows) == len(PLAN_TARGETS)
    assert api.get("/api/model-targets/", {"year": YEAR + 1}).json()["count"] == 0

    target = targets_a[ModelCategory.FOOD_SERVICE]
    response = api.post(
        "/api/model-candidates/", {"target": target.pk, "name": "翠苑酒家", "establishment": restaurant_a.pk}
    )
    assert response.status_code == 201, response.json()
    candidate_id = response.json()["id"]
    response = api.patch(f"/api/model-candidates/{candidate_id}/", {"status": "accepted"})
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert Establishment.objects.get(pk=restaurant_a.pk).model_status == "model"

    row = api.get(f"/api/model-targets/{target.pk}/").json()
    assert (row["accepted"], row["in_progress"], row["target"], row["percent"]) == (1, 0, 4, 25)
    response = api.patch(f"/api/model-targets/{target.pk}/", {"target": 5})
    assert response.status_code == 200 and response.json()["target"] == 5

    response = api.post("/api/model-targets/from-plan/", {"district": district_a.pk, "year": YEAR + 1})
    assert response.status_code == 201 and response.json() == {"created": len(PLAN_TARGETS)}


def test_the_district_page_costs_the_same_queries_for_3_and_30_candidates(
    client, district_officer_a, targets_a, community_a, community_b
):
    client.force_login(district_officer_a)
    url = reverse("publicity:model_units")
    targets = list(targets_a.values())

    def add(count: int) -> None:
        for n in range(count):
            target = targets[n % len(targets)]
            ModelCandidate.objects.create(
                target=target,
                name=f"单位{ModelCandidate.objects.count()}",
                community=(community_a, community_b)[n % 2],
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"year": YEAR}).status_code == 200
        return len(captured)

    add(3)
    few = queries()
    add(27)
    assert queries() == few
    assert sum(len(row["candidates"]) for row in client.get(url, {"year": YEAR}).context["progress"]) == 30


def test_the_year_defaults_to_this_year(client, district_officer_a, district_a):
    this_year = timezone.localdate().year
    model_targets_from_plan(user=district_officer_a, district=district_a, year=this_year)
    client.force_login(district_officer_a)
    page = client.get(reverse("publicity:model_units"), {"year": "abc"})
    assert page.context["year"] == this_year and len(page.context["progress"]) == len(PLAN_TARGETS)


def test_the_city_page_costs_the_same_queries_for_1_and_3_districts_with_targets(
    client, city_officer, district_a, district_c, targets_a
):
    from tests.factories import DistrictFactory

    client.force_login(city_officer)
    url = reverse("publicity:model_units")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"year": YEAR}).status_code == 200
        return len(captured)

    one = queries()
    for district in (district_c, DistrictFactory(parent=district_a.parent)):
        model_targets_from_plan(user=city_officer, district=district, year=YEAR)
    assert queries() == one


def test_an_establishment_of_the_wrong_category_is_refused(
    api, client, district_officer_a, city_officer, targets_a, restaurant_a, community_a
):
    kindergarten = targets_a[ModelCategory.KINDERGARTEN]
    api.force_authenticate(city_officer)
    response = api.post(
        "/api/model-candidates/",
        {"target": kindergarten.pk, "name": "翠苑酒家", "establishment": restaurant_a.pk},
    )
    assert response.status_code == 400 and "establishment" in response.json()
    assert not ModelCandidate.objects.exists()
    restaurant_a.refresh_from_db()
    assert restaurant_a.model_status == ""

    # A model community or residential compound takes no establishment at all.
    for category in (ModelCategory.COMMUNITY, ModelCategory.RESIDENTIAL):
        with pytest.raises(ValidationError) as refused:
            model_candidate_add(
                user=district_officer_a, target=targets_a[category], name="翠苑", establishment=restaurant_a
            )
        assert "establishment" in refused.value.message_dict
    assert not ModelCandidate.objects.exists()

    # The category the page offers for a kindergarten is accepted.
    canteen = EstablishmentFactory(
        community=community_a, name="翠苑幼儿园食堂", category=Category.SCHOOL_CANTEEN
    )
    response = api.post(
        "/api/model-candidates/",
        {"target": kindergarten.pk, "name": "翠苑幼儿园", "establishment": canteen.pk},
    )
    assert response.status_code == 201, response.json()

    # The page offers the same categories as the service allows.
    client.force_login(district_officer_a)
    page = client.get(reverse("publicity:model_target", args=[kindergarten.pk]))
    offered = page.context["candidate_form"].fields["establishment"].queryset
    assert canteen in offered and restaurant_a not in offered


def test_a_candidate_is_seen_only_in_its_own_community(
    client, api, district_officer_a, targets_a, restaurant_a, community_b, volunteer_a, head_a
):
    """A sibling community, volunteer included, cannot read a community's candidate by id, list or page;
    its own community and the district can; a candidate without a community is the district's."""
    target = targets_a[ModelCategory.FOOD_SERVICE]
    own = model_candidate_add(
        user=district_officer_a, target=target, name="翠苑酒家", establishment=restaurant_a
    )
    districts = model_candidate_add(
        user=district_officer_a, target=targets_a[ModelCategory.MALL], name="银泰城"
    )
    sibling_volunteer = UserFactory(role="volunteer", org_unit=community_b, certificate_no="")
    sibling_head = UserFactory(role="community_head", org_unit=community_b, certificate_no="")
    page_url = reverse("publicity:model_units") + f"?year={YEAR}"
    target_url = reverse("publicity:model_target", args=[target.pk])
    for outsider in (sibling_volunteer, sibling_head):
        api.force_authenticate(outsider)
        assert api.get(f"/api/model-candidates/{own.pk}/").status_code == 404
        assert api.get("/api/model-candidates/").json()["count"] == 0
        client.force_login(outsider)
        assert "翠苑酒家" not in client.get(page_url).text
        assert "翠苑酒家" not in client.get(target_url).text
    for insider in (volunteer_a, head_a):
        api.force_authenticate(insider)
        assert api.get(f"/api/model-candidates/{own.pk}/").status_code == 200
        assert [row["id"] for row in api.get("/api/model-candidates/").json()["results"]] == [own.pk]
        client.force_login(insider)
        assert "翠苑酒家" in client.get(page_url).text and "银泰城" not in client.get(page_url).text
    api.force_authenticate(district_officer_a)
    assert {row["id"] for row in api.get("/api/model-candidates/").json()["results"]} == {
        own.pk,
        districts.pk,
    }
