"""Monthly reports over the API (§6): scoped lists, submission that freezes figures, returns, reopening."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patrols.models import Patrol, PatrolStatus, Visit
from reporting.models import MonthlyReport, ReportAction, ReportStatus
from reporting.services import current_figures
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)
# Inside the window for October's community reports (due by 5 November).
BEFORE_DEADLINE = dt.datetime(2026, 11, 3, 10, tzinfo=SHANGHAI)
AFTER_DEADLINE = dt.datetime(2026, 11, 8, 10, tzinfo=SHANGHAI)
URL = "/api/monthly-reports/"


@contextmanager
def clock_at(moment: dt.datetime):
    """The wall clock is outside the system: set it, leave our database alone."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def submit(api, user, unit, *, narrative="本月巡查正常。", period="2026-10", at=BEFORE_DEADLINE):
    api.force_authenticate(user)
    with clock_at(at):
        return api.post(
            f"{URL}submit/", {"unit": unit.pk, "period": period, "narrative": narrative}, format="json"
        )


@pytest.fixture
def submitted_a(api, head_a, community_a, district_officer_a) -> MonthlyReport:
    assert submit(api, head_a, community_a).status_code == 200
    return MonthlyReport.objects.get(unit=community_a, period=OCTOBER)


def ids(response) -> set[int]:
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


# Listing


def test_list_is_scoped(
    api,
    inspector_a,
    district_officer_a,
    district_officer_c,
    city_officer,
    volunteer_a,
    community_a,
    community_b,
    community_c,
    district_a,
):
    reports = {
        unit: MonthlyReport.objects.create(unit=unit, period=OCTOBER)
        for unit in (community_a, community_b, community_c, district_a)
    }
    api.force_authenticate(inspector_a)
    assert ids(api.get(URL)) == {reports[community_a].pk}
    api.force_authenticate(district_officer_a)
    assert ids(api.get(URL)) == {reports[community_a].pk, reports[community_b].pk, reports[district_a].pk}
    api.force_authenticate(district_officer_c)
    assert ids(api.get(URL)) == {reports[community_c].pk}
    api.force_authenticate(city_officer)
    assert len(ids(api.get(URL))) == 4
    api.force_authenticate(volunteer_a)
    assert ids(api.get(URL)) == set()


def test_list_filters_and_shapes(api, district_officer_a, community_a, community_b):
    kept = MonthlyReport.objects.create(unit=community_a, period=OCTOBER, status=ReportStatus.SUBMITTED)
    MonthlyReport.objects.create(unit=community_b, period=OCTOBER)
    MonthlyReport.objects.create(unit=community_a, period=dt.date(2026, 9, 1))
    api.force_authenticate(district_officer_a)
    response = api.get(URL, {"unit": community_a.pk, "period": "2026-10", "status": "submitted"})
    assert ids(response) == {kept.pk}
    row = response.json()["results"][0]
    assert (row["unit_name"], row["unit_kind"], row["period"]) == (community_a.name, "community", "2026-10")
    assert row["deadline"].startswith("2026-11-06T00:00:00")
    assert api.get(URL, {"period": "October"}).status_code == 400


# Submitting


def test_submit_freezes_the_figures(api, head_a, community_a, inspector_a, district_officer_a):
    response = submit(api, head_a, community_a)
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["late"], body["period"]) == ("submitted", False, "2026-10")
    report = MonthlyReport.objects.get(unit=community_a, period=OCTOBER)
    assert report.status == ReportStatus.SUBMITTED and report.narrative == "本月巡查正常。"
    frozen = report.figures
    assert frozen["patrols"] == 0

    patrol = Patrol.objects.create(
        community=community_a,
        date=dt.date(2026, 10, 20),
        created_by=inspector_a,
        status=PatrolStatus.SUBMITTED,
    )
    Visit.objects.create(
        patrol=patrol, establishment=EstablishmentFactory(community=community_a), result="compliant"
    )
    assert current_figures(report)["patrols"] == 1
    api.force_authenticate(district_officer_a)
    assert api.get(f"{URL}{report.pk}/").json()["figures"] == frozen
    assert MonthlyReport.objects.get(pk=report.pk).figures["patrols"] == 0


def test_submit_without_a_narrative_is_a_400_with_a_message(api, head_a, community_a):
    response = submit(api, head_a, community_a, narrative="  ")
    assert response.status_code == 400
    assert response.json()["narrative"]
    assert MonthlyReport.objects.get().status == ReportStatus.DRAFT


def test_submit_for_a_unit_out_of_sight_is_404_and_leaves_nothing(api, inspector_b, community_a):
    assert submit(api, inspector_b, community_a).status_code == 404
    assert not MonthlyReport.objects.exists()


def test_submit_by_someone_who_does_not_prepare_is_403_and_leaves_nothing(
    api, district_officer_a, inspector_a, community_a
):
    assert submit(api, district_officer_a, community_a).status_code == 403
    assert submit(api, inspector_a, community_a).status_code == 403
    assert not MonthlyReport.objects.exists()


def test_submit_with_a_bad_period_is_400(api, head_a, community_a):
    assert submit(api, head_a, community_a, period="2026/10").status_code == 400
    assert not MonthlyReport.objects.exists()


# Returning


def test_return_needs_a_reason(api, district_officer_a, submitted_a):
    api.force_authenticate(district_officer_a)
    response = api.post(f"{URL}{submitted_a.pk}/return/", {"reason": " "}, format="json")
    assert response.status_code == 400
    assert response.json()["reason"]
    assert MonthlyReport.objects.get(pk=submitted_a.pk).status == ReportStatus.SUBMITTED


def test_district_returns_with_a_reason(api, district_officer_a, submitted_a):
    api.force_authenticate(district_officer_a)
    response = api.post(f"{URL}{submitted_a.pk}/return/", {"reason": "缺少巡查照片"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["returned_reason"]) == ("returned", "缺少巡查照片")
    report = MonthlyReport.objects.get(pk=submitted_a.pk)
    assert report.status == ReportStatus.RETURNED
    assert report.events.filter(action=ReportAction.RETURNED, actor=district_officer_a).exists()


def test_community_user_cannot_return(api, head_a, submitted_a):
    api.force_authenticate(head_a)
    response = api.post(f"{URL}{submitted_a.pk}/return/", {"reason": "自己退回"}, format="json")
    assert response.status_code == 403
    assert MonthlyReport.objects.get(pk=submitted_a.pk).status == ReportStatus.SUBMITTED


def test_other_district_can_neither_see_nor_return(api, district_officer_c, submitted_a):
    api.force_authenticate(district_officer_c)
    assert api.get(f"{URL}{submitted_a.pk}/").status_code == 404
    response = api.post(f"{URL}{submitted_a.pk}/return/", {"reason": "越权"}, format="json")
    assert response.status_code == 404
    assert MonthlyReport.objects.get(pk=submitted_a.pk).status == ReportStatus.SUBMITTED


# Reopening a locked period


def reopen(api, user, unit, **data):
    api.force_authenticate(user)
    fields = {"unit": unit.pk, "period": "2026-10", "reason": "系统故障", "until": "2026-11-09", **data}
    with clock_at(AFTER_DEADLINE):
        return api.post(f"{URL}reopen/", fields, format="json")


def test_district_reopens_a_locked_period_and_the_community_submits_late(
    api, district_officer_a, head_a, community_a
):
    assert submit(api, head_a, community_a, at=AFTER_DEADLINE).status_code == 400
    response = reopen(api, district_officer_a, community_a)
    assert response.status_code == 200
    assert response.json()["reopened_until"].startswith("2026-11-10T00:00:00")
    assert submit(api, head_a, community_a, at=AFTER_DEADLINE).status_code == 200
    report = MonthlyReport.objects.get(unit=community_a, period=OCTOBER)
    assert (report.status, report.late) == (ReportStatus.SUBMITTED, True)


def test_reopen_needs_a_reason_and_the_level_above(
    api, district_officer_a, district_officer_c, head_a, community_a
):
    assert reopen(api, district_officer_a, community_a, reason="").status_code == 400
    assert reopen(api, head_a, community_a).status_code == 403
    assert reopen(api, district_officer_c, community_a).status_code == 404
    assert not MonthlyReport.objects.filter(reopened_until__isnull=False).exists()


def test_list_costs_the_same_for_few_and_many_reports(api, city_officer, community_a, district_a):
    api.force_authenticate(city_officer)
    MonthlyReport.objects.create(unit=community_a, period=OCTOBER)
    with CaptureQueriesContext(connection) as few:
        assert api.get(URL).status_code == 200
    for month in range(1, 10):
        MonthlyReport.objects.create(unit=community_a, period=dt.date(2026, month, 1))
        MonthlyReport.objects.create(unit=district_a, period=dt.date(2026, month, 1))
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL).json()["results"]) == 19
    assert len(few.captured_queries) == len(many.captured_queries)
