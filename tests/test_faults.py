"""Faults: a database that fails mid-save leaves nothing half-saved; an archived record stays as it is."""

from __future__ import annotations

import select
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from notifications.models import Notification
from patrols.models import Finding, Patrol, PatrolStatus, Photo, Visit, VisitResult
from patrols.services import records as services
from tests.security_world import jpeg_upload

NOT_SAVED = "The database could not save this. Nothing was saved; please try again in a moment."


def not_saved() -> str:
    """The message as the (Chinese) page shows it."""
    with translation.override("zh-hans"):
        return translation.gettext(NOT_SAVED)


@contextmanager
def failing_inserts(table: str) -> Iterator[None]:
    """Make the database itself refuse every insert into `table`, as a full disk or a lost
    connection would, from a trigger: our code runs unchanged up to the failing statement."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION sec_refuse() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'simulated storage failure'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER sec_refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION sec_refuse()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER sec_refuse BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'simulated storage failure'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER sec_refuse ON {table}")
                cursor.execute("DROP FUNCTION sec_refuse()")
            else:
                cursor.execute("DROP TRIGGER sec_refuse")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def patrol_a(inspector_a, partner_a):
    return services.patrol_start(user=inspector_a, team=[partner_a])[0]


def _visit_with_finding(client_id: uuid.UUID) -> dict:
    return {
        "client_id": str(client_id),
        "result": "issues",
        "findings": "冰柜温度过高",
        "finding_kind": "safety_risk",
        "finding_category": "storage",
        "photos": [jpeg_upload()],
    }


def test_a_database_failure_mid_visit_saves_nothing_and_says_so(client, inspector_a, patrol_a, shop_a):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    client_id = uuid.uuid4()
    # The visit row is written, then its finding fails.
    with failing_inserts("patrols_finding"):
        page = client.post(url, _visit_with_finding(client_id))
    assert page.status_code == 503
    assert not_saved() in page.text
    assert not Visit.objects.exists() and not Finding.objects.exists() and not Photo.objects.exists()
    shop_a.refresh_from_db()
    assert shop_a.last_visited_on is None
    # The phone sends the same visit again once the database is back: it is stored once, whole.
    page = client.post(url, _visit_with_finding(client_id))
    assert page.status_code == 302
    visit = Visit.objects.get(client_id=client_id)
    assert visit.finding_set.count() == 1 and visit.photos.count() == 1


def test_a_database_failure_mid_visit_on_the_api_saves_nothing(api, inspector_a, patrol_a, shop_a):
    api.force_authenticate(inspector_a)
    body = {
        "patrol": str(patrol_a.client_id),
        "establishment": shop_a.pk,
        "result": "issues",
        "finding_items": [{"kind": "safety_risk", "category": "storage", "description": "冰柜温度过高"}],
    }
    with failing_inserts("patrols_finding"):
        response = api.post("/api/visits/", body, format="json")
    assert response.status_code == 503
    assert response.json()["detail"] == not_saved()
    assert not Visit.objects.exists() and not Finding.objects.exists()


def test_a_database_failure_during_the_last_approval_leaves_the_record_unarchived(
    client, inspector_a, head_a, leader_a, patrol_a, shop_a
):
    services.visit_record(
        user=inspector_a, patrol=patrol_a, establishment=shop_a, result=VisitResult.COMPLIANT
    )
    services.patrol_submit(user=inspector_a, patrol=patrol_a)
    services.patrol_approve(user=head_a, patrol=patrol_a)
    notices = Notification.objects.count()
    client.force_login(leader_a)
    # Archiving notifies the team; that insert fails after the record was marked archived.
    with failing_inserts("notifications_notification"):
        page = client.post(reverse("patrols:patrol_approve", args=[patrol_a.pk]))
    assert page.status_code == 503
    patrol_a.refresh_from_db()
    assert patrol_a.status == PatrolStatus.SUBMITTED
    assert patrol_a.leader_approved_at is None and patrol_a.archived_at is None
    assert Notification.objects.count() == notices
    # Once the database is back the approval goes through.
    client.post(reverse("patrols:patrol_approve", args=[patrol_a.pk]))
    patrol_a.refresh_from_db()
    assert patrol_a.is_archived


# An archived record cannot be changed through any page, endpoint or admin action


@pytest.fixture
def archived(inspector_a, partner_a, head_a, leader_a, shop_a) -> Patrol:
    patrol = services.patrol_start(user=inspector_a, team=[partner_a])[0]
    visit, _created = services.visit_record(
        user=inspector_a, patrol=patrol, establishment=shop_a, result=VisitResult.COMPLIANT, findings=""
    )
    services.photo_add(user=inspector_a, visit=visit, upload=jpeg_upload())
    services.patrol_submit(user=inspector_a, patrol=patrol)
    services.patrol_approve(user=head_a, patrol=patrol)
    services.patrol_approve(user=leader_a, patrol=patrol)
    patrol.refresh_from_db()
    assert patrol.is_archived
    return patrol


def _snapshot(patrol: Patrol) -> tuple:
    return (
        Patrol.objects.filter(pk=patrol.pk).values().get(),
        list(Visit.objects.filter(patrol=patrol).values().order_by("pk")),
        list(Photo.objects.filter(visit__patrol=patrol).values_list("pk", "image").order_by("pk")),
        list(Finding.objects.filter(visit__patrol=patrol).values().order_by("pk")),
    )


def test_archived_record_cannot_be_changed_through_the_pages(
    client, archived, inspector_a, head_a, leader_a, pharmacy_a
):
    before = _snapshot(archived)
    visit = archived.visits.get()
    client.force_login(inspector_a)
    assert client.get(reverse("patrols:visit_edit", args=[visit.pk])).status_code == 403
    edit = client.post(reverse("patrols:visit_edit", args=[visit.pk]), {"result": "issues", "findings": "改"})
    assert edit.status_code == 403
    add = client.post(
        reverse("patrols:visit_create", args=[archived.pk, pharmacy_a.pk]),
        {"client_id": str(uuid.uuid4()), "result": "compliant", "photos": [jpeg_upload()]},
    )
    assert add.status_code == 403
    client.post(reverse("patrols:patrol_submit", args=[archived.pk]))
    for reviewer in (head_a, leader_a):
        client.force_login(reviewer)
        client.post(reverse("patrols:patrol_approve", args=[archived.pk]))
        client.post(reverse("patrols:patrol_send_back", args=[archived.pk]), {"reason": "重审"})
        client.post(reverse("patrols:patrol_review"), {"ids": [archived.pk]})
    assert _snapshot(archived) == before


def test_archived_record_cannot_be_changed_through_the_api(api, archived, inspector_a, head_a, pharmacy_a):
    before = _snapshot(archived)
    visit = archived.visits.get()
    api.force_authenticate(inspector_a)
    patrol_url = f"/api/patrols/{archived.client_id}/"
    assert api.patch(patrol_url, {"notes": "改"}, format="json").status_code == 405
    assert api.put(patrol_url, {"notes": "改"}, format="json").status_code == 405
    assert api.delete(patrol_url).status_code == 405
    assert api.post(f"{patrol_url}submit/").status_code == 400
    edit = api.patch(f"/api/visits/{visit.client_id}/", {"result": "issues", "findings": "改"}, format="json")
    assert edit.status_code == 400
    assert api.delete(f"/api/visits/{visit.client_id}/").status_code == 405
    new_visit = {"patrol": str(archived.client_id), "establishment": pharmacy_a.pk, "result": "compliant"}
    assert api.post("/api/visits/", new_visit, format="json").status_code == 400
    photo = api.post("/api/photos/", {"visit": str(visit.client_id), "image": jpeg_upload()})
    assert photo.status_code == 400
    photo_url = f"/api/photos/{visit.photos.get().client_id}/"
    assert api.delete(photo_url).status_code == 405
    api.force_authenticate(head_a)
    assert api.post(f"{patrol_url}approve/").status_code == 400
    assert api.post(f"{patrol_url}send-back/", {"reason": "重审"}, format="json").status_code == 400
    assert api.post("/api/patrols/approve-many/", {"ids": [archived.pk]}, format="json").json() == {
        "approved": 0
    }
    assert _snapshot(archived) == before


def test_archived_record_cannot_be_changed_in_the_admin(client, archived, city):
    from tests.factories import UserFactory

    admin_user = UserFactory(
        username="root", role="admin", org_unit=city, certificate_no="", is_staff=True, is_superuser=True
    )
    before = _snapshot(archived)
    client.force_login(admin_user)
    change = reverse("admin:patrols_patrol_change", args=[archived.pk])
    assert client.get(change).status_code == 200  # shown read-only
    assert client.post(change, {"status": "draft", "notes": "改"}).status_code == 403
    delete = reverse("admin:patrols_patrol_delete", args=[archived.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:patrols_patrol_changelist")
    page = client.get(changelist)
    assert "delete_selected" not in page.text
    client.post(changelist, {"action": "delete_selected", "_selected_action": [archived.pk], "post": "yes"})
    history = client.get(reverse("admin:patrols_patrol_history", args=[archived.pk]))
    assert history.status_code == 200
    record = archived.history.order_by("history_id").first()
    revert = reverse("admin:patrols_patrol_simple_history", args=[archived.pk, record.history_id])
    assert client.get(revert).status_code == 200  # the old version is shown, read-only
    attempt = {
        "client_id": str(archived.client_id),
        "community": archived.community_id,
        "date": f"{archived.date:%Y-%m-%d}",
        "status": "draft",
        "notes": "改",
        "created_by": archived.created_by_id,
        "kind": archived.kind,
    }
    assert client.post(revert, attempt).status_code == 403
    assert _snapshot(archived) == before


@pytest.fixture
def pharmacy_a(community_a):
    from patrols.models import Category
    from tests.factories import EstablishmentFactory

    return EstablishmentFactory(community=community_a, name="翠苑大药房", category=Category.PHARMACY)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _next_request_backend_pid() -> int:
    """The server process that the next request's first query reaches, as Django serves a request."""
    request_started.send(sender=None)  # closes or marks the kept connection for its health check
    try:
        return _backend_pid()
    finally:
        request_finished.send(sender=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server process to drop")
def test_a_connection_the_server_dropped_is_opened_again_for_the_next_request(transactional_db):
    pid = _backend_pid()
    assert _next_request_backend_pid() == pid  # a healthy connection is kept
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server says goodbye on the socket as it goes.
    select.select([connection.connection.fileno()], [], [], 5)
    new_pid = _next_request_backend_pid()
    assert new_pid != pid
    assert _next_request_backend_pid() == new_pid


NOT_LOADED = "The database could not be read; this page could not be loaded. Please try again in a moment."


def test_a_database_failure_on_a_read_says_the_page_could_not_be_loaded(client, api, inspector_a):
    """A read that fails saved nothing and lost nothing: the page must not say "nothing was saved"."""
    client.force_login(inspector_a)
    api.force_authenticate(inspector_a)
    with translation.override("zh-hans"):
        not_loaded = translation.gettext(NOT_LOADED)
    with table_gone("patrols_incident"):
        page = client.get("/incidents/")
    assert page.status_code == 503
    assert not_loaded in page.content.decode()
    assert not_saved() not in page.content.decode()
    with table_gone("patrols_incident"):
        answer = api.get("/api/incidents/")
    assert (answer.status_code, answer.json()) == (503, {"detail": not_loaded})


@contextmanager
def table_gone(table: str) -> Iterator[None]:
    """The table renamed away, as after a botched restore, in a savepoint rolled back afterwards
    (PostgreSQL refuses every statement after a failed one until then)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
        yield
        transaction.set_rollback(True)
