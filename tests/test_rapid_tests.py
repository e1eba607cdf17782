"""Rapid tests (快筛快检): recorded on a visit or in the district's test room; a positive result is
followed up in the same step; counted in the figures; listed in the ledger, each user their own area."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orgs.models import Role
from patrols.ledgers import RAPID_TEST_LEDGER_COLUMNS, rapid_test_ledger_rows
from patrols.models import Finding, FindingKind, Lead, LeadSource, RapidTest, Reward
from patrols.services import leads as lead_services
from patrols.services import records
from patrols.services.rapid_tests import RapidTestInput, rapid_test_in_room, rapid_test_on_visit
from reporting import catalogue
from reporting.figures import community_figures
from tests.factories import CommunityFactory, EstablishmentFactory, UserFactory
from tests.security_world import jpeg_upload

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def partner_a(community_a):
    return UserFactory(role=Role.INSPECTOR, org_unit=community_a)


@pytest.fixture
def shop(community_a):
    return EstablishmentFactory(community=community_a, name="菜市场摊位")


@pytest.fixture
def visit(inspector_a, partner_a, shop):
    patrol = records.patrol_start(user=inspector_a, team=[partner_a])[0]
    return records.visit_record(user=inspector_a, patrol=patrol, establishment=shop, result="compliant")[0]


def entry(result="negative", **kwargs) -> RapidTestInput:
    values = {
        "tested_at": timezone.now(),
        "sample": "青菜",
        "item": "有机磷农药残留",
        "method": "enzyme_inhibition",
        "result": result,
    }
    values.update(kwargs)
    return RapidTestInput(**values)


def test_a_positive_test_on_a_visit_opens_a_finding_in_the_same_step(inspector_a, visit):
    test = rapid_test_on_visit(
        user=inspector_a, visit=visit, data=entry("positive", value=Decimal("52.5"), value_unit="%")
    )
    finding = Finding.objects.get()
    assert test.finding == finding and finding.visit == visit and finding.kind == FindingKind.SAFETY_RISK
    assert "青菜" in finding.description and "有机磷农药残留" in finding.description
    assert finding.rectification_deadline is not None  # a rectification, by its severity's deadline
    assert test.tested_by == inspector_a and test.community_id == visit.patrol.community_id
    assert test.establishment == visit.establishment


def test_a_finding_refused_leaves_no_test_and_a_test_refused_no_finding(inspector_a, visit):
    with pytest.raises(ValidationError):
        rapid_test_on_visit(user=inspector_a, visit=visit, data=entry("positive", finding_kind="nonsense"))
    assert not RapidTest.objects.exists() and not Finding.objects.exists()
    with pytest.raises(ValidationError):
        rapid_test_on_visit(user=inspector_a, visit=visit, data=entry("positive", sample=""))
    assert not RapidTest.objects.exists() and not Finding.objects.exists()


def test_a_negative_or_invalid_test_opens_nothing(inspector_a, visit, district_officer_a, district_a):
    rapid_test_on_visit(user=inspector_a, visit=visit, data=entry("negative"))
    rapid_test_on_visit(user=inspector_a, visit=visit, data=entry("invalid"))
    rapid_test_in_room(user=district_officer_a, district=district_a, data=entry(), sample_source="市民送检")
    assert RapidTest.objects.count() == 3
    assert not Finding.objects.exists() and not Lead.objects.exists()


def test_a_positive_test_in_the_room_opens_a_lead_of_the_district_without_a_reward(
    district_officer_a, district_a, shop
):
    test = rapid_test_in_room(
        user=district_officer_a, district=district_a, data=entry("positive"), establishment=shop
    )
    lead = Lead.objects.get()
    assert test.lead == lead and lead.source == LeadSource.DISTRICT and lead.establishment == shop
    assert lead.community == shop.community and "有机磷农药残留" in lead.description
    lead_services.lead_verify(user=district_officer_a, lead=lead)
    lead_services.lead_file(user=district_officer_a, lead=lead)
    assert not Reward.objects.exists()


def test_a_positive_room_test_may_be_linked_to_a_finding_instead(
    inspector_a, visit, district_officer_a, district_a
):
    finding = records.visit_findings_add(
        user=inspector_a,
        visit=visit,
        items=[records.FindingInput(kind=FindingKind.SAFETY_RISK, category="other", description="疑似农残")],
    )[0]
    test = rapid_test_in_room(
        user=district_officer_a, district=district_a, data=entry("positive"), finding=finding
    )
    assert test.finding == finding and test.lead is None and not Lead.objects.exists()


def test_a_positive_room_test_needs_something_to_follow_it_up(district_officer_a, district_a):
    with pytest.raises(ValidationError) as error:
        rapid_test_in_room(user=district_officer_a, district=district_a, data=entry("positive"))
    assert "establishment" in error.value.message_dict
    assert not RapidTest.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tested_at": dt.datetime(2100, 1, 1, tzinfo=dt.UTC)}, "tested_at"),
        ({"value": Decimal("-1")}, "value"),
        ({"value": Decimal("10000000")}, "value"),
        ({"value": "NaN"}, "value"),
        ({"method": "magic"}, "method"),
        ({"item": "很" * 61}, "item"),
    ],
)
def test_bounds_are_refused_in_chinese_and_nothing_is_saved(inspector_a, visit, change, field):
    with pytest.raises(ValidationError) as error:
        rapid_test_on_visit(user=inspector_a, visit=visit, data=entry("positive", **change))
    assert field in error.value.message_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(error.value.message_dict[field]))
    assert not RapidTest.objects.exists() and not Finding.objects.exists()


def test_a_photo_is_checked_like_a_patrol_photo(inspector_a, visit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        rapid_test_on_visit(user=inspector_a, visit=visit, data=entry(photo=bad))
    assert "photo" in error.value.message_dict and not RapidTest.objects.exists()
    test = rapid_test_on_visit(user=inspector_a, visit=visit, data=entry(photo=jpeg_upload("../../evil.php")))
    assert test.photo.name.startswith("rapid_tests/") and test.photo.name.endswith(".jpg")


def test_only_the_team_adds_tests_while_the_record_is_open(inspector_a, partner_a, head_a, visit):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rapid_test_on_visit(user=head_a, visit=visit, data=entry())
    records.patrol_submit(user=inspector_a, patrol=visit.patrol)
    with pytest.raises(ValidationError):
        rapid_test_on_visit(user=partner_a, visit=visit, data=entry())
    assert not RapidTest.objects.exists()


def test_only_the_districts_office_records_in_its_room(inspector_a, district_officer_a, district_c):
    from django.core.exceptions import PermissionDenied

    for user, district in ((inspector_a, district_officer_a.org_unit), (district_officer_a, district_c)):
        with pytest.raises(PermissionDenied):
            rapid_test_in_room(user=user, district=district, data=entry())


# Pages and API: each user their own area


@pytest.fixture
def tests_a(inspector_a, visit, district_officer_a, district_a):
    on_visit = rapid_test_on_visit(user=inspector_a, visit=visit, data=entry("positive"))
    in_room = rapid_test_in_room(
        user=district_officer_a, district=district_a, data=entry(), sample_source="市民"
    )
    return on_visit, in_room


def test_a_user_of_another_area_gets_404_by_id(tests_a, community_b, district_c, client, api):
    on_visit, in_room = tests_a
    inspector_b = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    officer_c = UserFactory(role=Role.DISTRICT_OFFICER, org_unit=district_c, certificate_no="")
    for user in (inspector_b, officer_c):
        client.force_login(user)
        for test in (on_visit, in_room):
            assert client.get(reverse("patrols:rapid_test_photo", args=[test.pk])).status_code == 404
        api.force_authenticate(user)
        assert api.get(reverse("rapid-test-detail", args=[on_visit.pk])).status_code == 404
        assert api.get(reverse("rapid-test-list")).json()["count"] == 0
        listed = client.get(
            reverse("patrols:rapid_test_list"), {"month": timezone.localdate().strftime("%Y-%m")}
        )
        assert on_visit.sample not in listed.content.decode() or not listed.context["page_obj"].object_list


def test_community_people_see_their_visits_tests_and_the_district_sees_its_room_too(
    tests_a, inspector_a, district_officer_a, api
):
    on_visit, in_room = tests_a
    api.force_authenticate(inspector_a)
    assert [row["id"] for row in api.get(reverse("rapid-test-list")).json()["results"]] == [on_visit.pk]
    api.force_authenticate(district_officer_a)
    assert {row["id"] for row in api.get(reverse("rapid-test-list")).json()["results"]} == {
        on_visit.pk,
        in_room.pk,
    }


def test_the_ledger_lists_the_units_tests_the_user_may_see(
    tests_a, inspector_a, district_officer_a, district_a, community_a, city, city_officer, district_c
):
    on_visit, in_room = tests_a
    today = timezone.localdate()
    # A draft's test is not filed yet: the ledger lists what the month's figure counts.
    assert len(list(rapid_test_ledger_rows(district_officer_a, community_a, today, today))) == 0
    records.patrol_submit(user=inspector_a, patrol=on_visit.visit.patrol)
    rows = list(rapid_test_ledger_rows(district_officer_a, district_a, today, today))
    assert len(rows) == 2 and all(len(row) == len(RAPID_TEST_LEDGER_COLUMNS) for row in rows)
    assert {row[8] for row in rows} == {"阳性", "阴性"}
    assert {row[1] for row in rows} == {community_a.name, "快检室"}
    assert {row[0] for row in rows} == {district_a.name}
    assert any(row[12].endswith(f"#{on_visit.finding_id}") for row in rows)
    # A community's ledger holds its visits' tests; its people never see the district's room.
    assert len(list(rapid_test_ledger_rows(district_officer_a, community_a, today, today))) == 1
    assert len(list(rapid_test_ledger_rows(inspector_a, district_a, today, today))) == 1
    assert len(list(rapid_test_ledger_rows(city_officer, city, today, today))) == 2
    officer_c = UserFactory(role=Role.DISTRICT_OFFICER, org_unit=district_c, certificate_no="")
    assert list(rapid_test_ledger_rows(officer_c, district_a, today, today)) == []
    yesterday = today - dt.timedelta(days=1)
    assert list(rapid_test_ledger_rows(city_officer, city, yesterday, yesterday)) == []
    with CaptureQueriesContext(connection) as queries:
        list(rapid_test_ledger_rows(city_officer, city, today, today))
    assert len(queries) <= 2


def test_the_figures_count_visit_tests_of_counted_records_by_their_day(
    tests_a, inspector_a, visit, community_a
):
    month = timezone.localdate().replace(day=1)
    figures = community_figures([community_a], month, on=timezone.localdate())[community_a.pk]
    assert (figures["rapid_tests"], figures["rapid_tests_positive"]) == (0, 0)  # still a draft
    records.patrol_submit(user=inspector_a, patrol=visit.patrol)
    figures = community_figures([community_a], month, on=timezone.localdate())[community_a.pk]
    # The room's test is the district's, not the community's.
    assert (figures["rapid_tests"], figures["rapid_tests_positive"]) == (1, 1)
    assert catalogue.BY_KEY["rapid_tests"].kind == catalogue.COUNT


# The pages


def form_body(result="positive", **extra) -> dict:
    moment = timezone.localtime()
    body = {
        "tested_at": moment.strftime("%Y-%m-%dT%H:%M"),
        "sample": "豇豆",
        "item": "克百威",
        "method": "colloidal_gold",
        "result": result,
        "value": "",
        "value_unit": "",
    }
    body.update(extra)
    return body


def test_the_team_records_a_positive_test_from_the_visit_and_the_finding_opens(client, inspector_a, visit):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_rapid_tests", args=[visit.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {**form_body(), "finding_kind": "safety_risk", "severity": "2"})
    assert response.status_code == 302
    test = RapidTest.objects.get()
    assert test.finding.visit == visit and test.finding.severity == 2
    page = client.get(url).content.decode()
    assert "豇豆" in page and f"#{test.finding_id}" in page
    # The patrol record links to the visit's tests.
    assert url in client.get(reverse("patrols:patrol_detail", args=[visit.patrol_id])).content.decode()


def test_a_time_in_the_future_is_refused_on_the_page_in_chinese(client, inspector_a, visit):
    client.force_login(inspector_a)
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("patrols:visit_rapid_tests", args=[visit.pk]),
        {**form_body(tested_at=future, value="-3"), "finding_kind": "safety_risk", "severity": "2"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "该时间晚于当前时间" in page and "0" in page
    assert not RapidTest.objects.exists() and not Finding.objects.exists()


def test_a_reviewer_sees_the_visits_tests_but_does_not_add_one(client, head_a, visit):
    client.force_login(head_a)
    url = reverse("patrols:visit_rapid_tests", args=[visit.pk])
    assert client.get(url).context["form"] is None
    assert client.post(url, form_body()).status_code == 403


def test_the_district_office_records_in_its_room_and_a_lead_opens(client, district_officer_a, shop):
    client.force_login(district_officer_a)
    url = reverse("patrols:rapid_test_room")
    assert client.get(url).status_code == 200
    response = client.post(url, {**form_body(), "establishment": shop.pk, "sample_source": ""})
    assert response.status_code == 302
    test = RapidTest.objects.get()
    assert test.district == district_officer_a.org_unit and test.lead.establishment == shop
    page = client.get(url)
    assert "豇豆" in page.content.decode()
    assert page.context["counts"] == {"month": 1, "month_positive": 1, "year": 1, "year_positive": 1}


def test_community_people_have_no_test_room(client, inspector_a, head_a):
    for user in (inspector_a, head_a):
        client.force_login(user)
        assert client.get(reverse("patrols:rapid_test_room")).status_code == 403


def test_the_months_list_shows_the_users_area(client, tests_a, inspector_a, district_officer_a):
    on_visit, in_room = tests_a
    month = timezone.localdate().strftime("%Y-%m")
    client.force_login(inspector_a)
    shown = [t.pk for t in client.get(reverse("patrols:rapid_test_list"), {"month": month}).context["page"]]
    assert shown == [on_visit.pk]
    client.force_login(district_officer_a)
    shown = {t.pk for t in client.get(reverse("patrols:rapid_test_list"), {"month": month}).context["page"]}
    assert shown == {on_visit.pk, in_room.pk}
    last_year = (timezone.localdate().replace(day=1) - dt.timedelta(days=365)).strftime("%Y-%m")
    assert not client.get(reverse("patrols:rapid_test_list"), {"month": last_year}).context["page"]


def test_the_list_page_and_the_api_cost_the_same_for_two_tests_or_twenty(
    client, api, inspector_a, visit, district_officer_a, district_a, shop
):
    def measure() -> tuple[int, int]:
        client.force_login(district_officer_a)
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("patrols:rapid_test_list")).status_code == 200
        api.force_authenticate(district_officer_a)
        with CaptureQueriesContext(connection) as listed:
            assert api.get(reverse("rapid-test-list")).status_code == 200
        return len(page), len(listed)

    def add(n: int) -> None:
        for i in range(n):
            rapid_test_on_visit(
                user=inspector_a, visit=visit, data=entry("positive" if i % 2 else "negative")
            )
            rapid_test_in_room(
                user=district_officer_a, district=district_a, data=entry("positive"), establishment=shop
            )

    add(1)
    few = measure()
    add(9)
    assert measure() == few


def test_the_api_records_a_room_test_and_refuses_another_districts_finding(
    api, district_officer_a, district_c, shop
):
    api.force_authenticate(district_officer_a)
    body = {
        "tested_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat(),
        "sample": "牛奶",
        "item": "三聚氰胺",
        "method": "instrument",
        "result": "positive",
        "value": "2.5",
        "value_unit": "mg/kg",
        "establishment": shop.pk,
    }
    response = api.post(reverse("rapid-test-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["lead"] == Lead.objects.get().pk
    outsider = EstablishmentFactory(community=CommunityFactory(parent=district_c))
    response = api.post(reverse("rapid-test-list"), {**body, "establishment": outsider.pk}, format="json")
    assert response.status_code == 400 and RapidTest.objects.count() == 1
    response = api.post(reverse("rapid-test-list"), {**body, "value": "1e9"}, format="json")
    assert response.status_code == 400 and RapidTest.objects.count() == 1
    assert api.get(reverse("rapid-test-list"), {"month": "2026-13"}).status_code == 400


def test_a_test_at_a_visit_is_dated_on_its_records_day(inspector_a, visit):
    with pytest.raises(ValidationError) as error:
        rapid_test_on_visit(
            user=inspector_a, visit=visit, data=entry(tested_at=timezone.now() - dt.timedelta(days=3))
        )
    assert "tested_at" in error.value.message_dict and not RapidTest.objects.exists()


def test_who_tested_is_the_servers_to_say_and_outsiders_find_no_visit(
    api, client, inspector_a, partner_a, visit, community_b
):
    api.force_authenticate(inspector_a)
    body = {
        "visit": str(visit.client_id),
        "tested_at": timezone.now().isoformat(),
        "sample": "青菜",
        "item": "有机磷农药残留",
        "method": "test_strip",
        "result": "negative",
        "tested_by": partner_a.pk,
        "community": community_b.pk,
    }
    response = api.post(reverse("rapid-test-list"), body, format="json")
    assert response.status_code == 201, response.content
    test = RapidTest.objects.get()
    assert test.tested_by == inspector_a and test.community_id == visit.patrol.community_id
    inspector_b = UserFactory(role=Role.INSPECTOR, org_unit=community_b)
    client.force_login(inspector_b)
    url = reverse("patrols:visit_rapid_tests", args=[visit.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_body()).status_code == 404
    api.force_authenticate(inspector_b)
    assert api.post(reverse("rapid-test-list"), body, format="json").status_code == 400
    assert RapidTest.objects.count() == 1
