"""Training and drills (§7, issue #22 item 3): hours, named attendees, yearly targets, figures, ledger."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orgs.models import Role
from publicity.ledgers import TRAINING_LEDGER_COLUMNS, training_ledger_rows
from publicity.models import TrainingMeasure, TrainingSession, TrainingTarget
from publicity.selectors import publicity_figures
from publicity.services import training_session_add, training_target_set
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _session(user, *, kind="training", hours="2", attendance=10, audience="staff", day=None, **kwargs):
    return training_session_add(
        user=user,
        session=TrainingSession(
            kind=kind,
            topic="食品安全法规",
            audience=audience,
            hours=Decimal(hours),
            attendance=attendance,
            date=day or TODAY,
        ),
        **kwargs,
    )


def _form(**overrides) -> dict:
    data = {
        "kind": "training",
        "audience": "staff",
        "date": TODAY.isoformat(),
        "topic": "食品安全法规培训",
        "hours": "1.5",
        "attendance": "12",
        "outsiders": "",
    }
    data.update(overrides)
    return data


# Recording a session


def test_a_community_records_a_session_with_hours_and_named_attendees(
    client, info_officer_a, inspector_a, community_a
):
    client.force_login(info_officer_a)
    data = _form(attendees=[inspector_a.pk], outsiders="王师傅，张记面馆\n李阿姨, 居民")
    response = client.post(reverse("publicity:record_new", args=["training"]), data)
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.community, session.organiser, session.hours) == (community_a, community_a, Decimal("1.5"))
    assert list(session.attendees.all()) == [inspector_a]
    assert [(o.name, o.workplace) for o in session.outsiders.all()] == [
        ("王师傅", "张记面馆"),
        ("李阿姨", "居民"),
    ]
    page = client.get(reverse("publicity:training_session", args=[session.pk]))
    assert "王师傅" in page.content.decode() and str(inspector_a) in page.content.decode()


@pytest.mark.parametrize("hours", ["0", "0.3", "25", "24.5", "-1", "1e9", "NaN"])
def test_hours_out_of_range_are_refused_in_chinese_and_nothing_is_saved(client, info_officer_a, hours):
    client.force_login(info_officer_a)
    response = client.post(reverse("publicity:record_new", args=["training"]), _form(hours=hours))
    assert response.status_code == 200
    errors = response.context["form"].errors["hours"]
    assert errors and any(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors), errors
    assert not TrainingSession.objects.exists()


def test_an_attendee_of_another_community_is_refused(client, api, info_officer_a, inspector_b):
    client.force_login(info_officer_a)
    response = client.post(
        reverse("publicity:record_new", args=["training"]), _form(attendees=[inspector_b.pk])
    )
    assert response.status_code == 200 and "attendees" in response.context["form"].errors
    api.force_authenticate(info_officer_a)
    body = {**_form(), "attendees": [inspector_b.pk], "outsiders": []}
    answer = api.post(reverse("trainingsession-list"), body, format="json")
    assert answer.status_code == 400 and "attendees" in answer.json()
    assert not TrainingSession.objects.exists()


def test_the_head_count_is_at_least_the_people_named(api, info_officer_a, inspector_a):
    api.force_authenticate(info_officer_a)
    body = {**_form(attendance="1"), "attendees": [inspector_a.pk], "outsiders": [{"name": "王师傅"}]}
    answer = api.post(reverse("trainingsession-list"), body, format="json")
    assert answer.status_code == 400 and "attendance" in answer.json()
    body["attendance"] = 2
    answer = api.post(reverse("trainingsession-list"), body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["attendees"] == [inspector_a.pk]
    assert answer.json()["outsiders"] == [{"name": "王师傅", "workplace": ""}]


def test_the_api_refuses_out_of_range_hours(api, info_officer_a):
    api.force_authenticate(info_officer_a)
    for hours in ("0", "0.7", "99", None):
        answer = api.post(reverse("trainingsession-list"), {**_form(hours=hours)}, format="json")
        assert answer.status_code == 400 and "hours" in answer.json(), hours
    assert not TrainingSession.objects.exists()


def test_a_session_recorded_before_hours_were_asked_lists_none(api, info_officer_a, community_a):
    TrainingSession.objects.create(
        community=community_a,
        organiser=community_a,
        date=timezone.localdate(),
        created_by=info_officer_a,
        topic="食品安全知识",
        attendance=12,
    )
    api.force_authenticate(info_officer_a)
    (listed,) = api.get(reverse("trainingsession-list")).json()["results"]
    assert listed["hours"] is None and listed["attendance"] == 12


def test_the_district_office_records_a_district_session_in_one_of_its_communities(
    client, district_officer_a, community_a, community_c, inspector_a, inspector_b
):
    client.force_login(district_officer_a)
    data = _form(community=community_a.pk, attendees=[inspector_a.pk, inspector_b.pk])
    assert client.post(reverse("publicity:record_new", args=["training"]), data).status_code == 302
    session = TrainingSession.objects.get()
    assert session.organiser == district_officer_a.org_unit and session.community == community_a
    assert session.attendees.count() == 2
    # Another district's community is not among the choices.
    response = client.post(
        reverse("publicity:record_new", args=["training"]), _form(community=community_c.pk)
    )
    assert response.status_code == 200 and "community" in response.context["form"].errors


def test_another_communitys_user_gets_404_by_id(client, api, info_officer_a, inspector_b, district_officer_c):
    session = _session(info_officer_a)
    for user in (inspector_b, district_officer_c):
        client.force_login(user)
        assert client.get(reverse("publicity:training_session", args=[session.pk])).status_code == 404
        api.force_authenticate(user)
        assert api.get(reverse("trainingsession-detail", args=[session.pk])).status_code == 404


# Targets


def test_the_targets_page_shows_a_person_short_of_hours_and_a_community_without_a_drill(
    client, district_officer_a, inspector_a, partner_a, community_a, community_b, info_officer_a
):
    year = TODAY.year
    district = district_officer_a.org_unit
    client.force_login(district_officer_a)
    url = reverse("publicity:training") + f"?year={year}"
    for body in (
        {"measure": "hours", "audience": "staff", "target": "40"},
        {"measure": "sessions", "audience": "staff", "target": "10"},
        {"measure": "drills", "audience": "", "target": "1"},
    ):
        assert client.post(url, body).status_code == 302
    assert TrainingTarget.objects.filter(district=district, year=year).count() == 3
    _session(
        district_officer_a,
        hours="24",
        attendance=2,
        community=community_a,
        attendees=[inspector_a, partner_a],
    )
    _session(district_officer_a, hours="20", attendance=1, community=community_a, attendees=[inspector_a])
    _session(info_officer_a, kind="drill", hours="1", attendance=5)
    page = client.get(url)
    progress = {row.target.measure: row for row in page.context["progress"]}
    hours = {p.name: (p.hours, p.short) for p in progress[TrainingMeasure.HOURS].people}
    assert hours[str(inspector_a)] == (Decimal("44"), False)
    assert hours[str(partner_a)] == (Decimal("24"), True)
    assert str(info_officer_a) not in hours  # an information officer is not staff
    assert progress[TrainingMeasure.SESSIONS].done == 2
    assert progress[TrainingMeasure.SESSIONS].by_district_office == 2
    drills = {c: (n, short) for c, n, short in progress[TrainingMeasure.DRILLS].communities}
    assert drills[community_a] == (1, False) and drills[community_b] == (0, True)
    assert str(partner_a) in page.content.decode()


def test_only_the_district_office_sets_its_targets(
    client, inspector_a, district_officer_c, district_officer_a
):
    url = reverse("publicity:training") + f"?year={TODAY.year}"
    client.force_login(inspector_a)
    assert client.post(url, {"measure": "drills", "target": "1"}).status_code == 403
    client.force_login(district_officer_c)
    own = client.post(url, {"measure": "drills", "target": "1"})
    assert own.status_code == 302
    assert not TrainingTarget.objects.filter(district=district_officer_a.org_unit).exists()
    # A target beyond the bound is refused.
    client.force_login(district_officer_a)
    assert client.post(url, {"measure": "drills", "target": "100000"}).status_code == 200
    assert not TrainingTarget.objects.filter(district=district_officer_a.org_unit).exists()


def test_an_hours_target_needs_an_audience(district_officer_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        training_target_set(
            user=district_officer_a,
            district=district_officer_a.org_unit,
            year=TODAY.year,
            measure="hours",
            audience="",
            target=40,
        )


# Figures and the ledger


def test_figures_count_hours_and_drills_apart(info_officer_a, community_a):
    first = TODAY.replace(day=1)
    _session(info_officer_a, hours="1.5", attendance=10)
    _session(info_officer_a, hours="2", attendance=8, kind="meeting")
    _session(info_officer_a, hours="3", attendance=30, kind="drill")
    figures = publicity_figures([community_a.pk], first, TODAY)[community_a.pk]
    assert figures["trainings"] == 2 and figures["training_attendance"] == 18
    assert figures["training_hours"] == 4  # 3.5 hours, the half hour rounded up
    assert figures["drills"] == 1


def test_ledger_rows_are_scoped(info_officer_a, inspector_a, inspector_b, district_officer_a, community_b):
    _session(info_officer_a, attendance=3, attendees=[inspector_a], outsiders=[("王师傅", "张记面馆")])
    other = UserFactory(role=Role.INFO_OFFICER, org_unit=community_b)
    _session(other, kind="drill", hours="1", attendance=4)
    district = district_officer_a.org_unit
    first, last = TODAY.replace(day=1), TODAY
    rows = list(training_ledger_rows(district_officer_a, district, first, last))
    assert len(rows) == 2 and all(len(row) == len(TRAINING_LEDGER_COLUMNS) for row in rows)
    own = list(training_ledger_rows(info_officer_a, district, first, last))
    assert len(own) == 1
    (date, community, organiser, kind, topic, audience, hours, head_count, names) = own[0]
    assert (date, hours, head_count) == (TODAY, Decimal("2"), 3)
    assert str(inspector_a) in names and "王师傅（张记面馆）" in names
    assert list(training_ledger_rows(inspector_b, district, first, last))[0][3] != kind
    assert list(training_ledger_rows(inspector_b, community_b, first, last)) == list(
        training_ledger_rows(inspector_b, district, first, last)
    )
    assert list(training_ledger_rows(info_officer_a, district, last + dt.timedelta(days=1), last)) == []


def test_the_ledger_is_read_in_three_queries_whatever_the_sessions(
    info_officer_a, inspector_a, district_officer_a, django_assert_num_queries
):
    for _ in range(3):
        _session(info_officer_a, attendance=3, attendees=[inspector_a], outsiders=[("王师傅", "张记面馆")])
    district = district_officer_a.org_unit
    with django_assert_num_queries(3):
        rows = list(training_ledger_rows(district_officer_a, district, TODAY.replace(day=1), TODAY))
    assert len(rows) == 3


def test_the_district_office_records_over_the_api_and_names_a_community(
    api, district_officer_a, community_a, community_c, inspector_a
):
    api.force_authenticate(district_officer_a)
    body = {**_form(hours="0.5", outsiders=[]), "community": community_c.pk, "attendees": [inspector_a.pk]}
    answer = api.post(reverse("trainingsession-list"), body, format="json")
    assert answer.status_code == 400 and "community" in answer.json()  # another district's: "does not exist"
    body["community"] = community_a.pk
    answer = api.post(reverse("trainingsession-list"), body, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["organiser"] == district_officer_a.org_unit_id
    assert answer.json()["hours"] == "0.5"
    # Without a community the district office is told to name one.
    del body["community"]
    answer = api.post(reverse("trainingsession-list"), body, format="json")
    assert answer.status_code == 400 and "community" in answer.json()
