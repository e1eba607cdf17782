"""Real Celery workers against Redis and PostgreSQL (§10): exactly-once reminders, a broker that
goes away, and a worker killed in the middle of a task.

The workers are `celery -A config worker` processes started here on the test
database, so the data they work on is committed (transactional_db). CI sets
DATABASE_URL to PostgreSQL and REDIS_URL to the Redis on 127.0.0.1; without
them these tests cannot run and say so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import pools

from config.celery import app
from notifications.models import Delivery, Notification, PendingTask, Reminder, ReminderKind, RobotKind
from notifications.services import group_robot_save, notify
from orgs.models import Role
from reporting import tasks as reporting_tasks
from tests.factories import UserFactory
from tests.stand_in import serve

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
# The day the community reports are three days from due: every waiting community is reminded.
REMINDER_DAY = "2026-11-02"


def wait_until(check: Callable[[], object], timeout: float = 60, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s: {message}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One `celery worker` process on the test database, its log in a file."""

    def __init__(self, tmp_path: Path, broker: str, name: str, **env: str) -> None:
        self.log = tmp_path / f"{name}.log"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "REDIS_URL": broker,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                **env,
            },
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: "ready." in self.output() or self.process.poll() is not None, 90, "worker start")
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the worker and its pool: no warm shutdown, no acknowledgement."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def broker() -> Iterator[str]:
    """The Redis of REDIS_URL, its queue emptied of anything an earlier run left behind."""
    redis.Redis.from_url(settings.REDIS_URL).delete("celery", "unacked", "unacked_index")
    yield settings.REDIS_URL


@pytest.fixture
def workers(tmp_path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(broker_url: str, name: str | None = None, **env: str) -> Worker:
        worker = Worker(tmp_path, broker_url, name or f"w{len(started) + 1}-{uuid.uuid4().hex[:6]}", **env)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker, as a web process configured so would be."""

    def reset() -> None:
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_write_url
    reset()
    app.conf.broker_write_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_write_url = original


@pytest.fixture
def waiting_communities(community_a, community_b, district_a):
    """Two communities with a head each, both owing October's report on 2 November."""
    for unit in (community_a, community_b, district_a):
        unit.opened_on = dt.date(2026, 1, 1)
        unit.save(update_fields=["opened_on"])
    return [
        UserFactory(username=f"head_{unit.code}", role=Role.COMMUNITY_HEAD, org_unit=unit, certificate_no="")
        for unit in (community_a, community_b)
    ]


def due_reminders() -> int:
    return Reminder.objects.filter(kind=ReminderKind.REPORT_DUE).count()


def queue_empty(broker_url: str) -> bool:
    client = redis.Redis.from_url(broker_url)
    return client.llen("celery") == 0 and client.zcard("unacked_index") == 0


def test_a_reminder_task_run_twice_sends_once(broker, workers, waiting_communities):
    workers(broker)
    reporting_tasks.daily_reminders.apply_async(kwargs={"day": REMINDER_DAY})
    reporting_tasks.daily_reminders.apply_async(kwargs={"day": REMINDER_DAY})
    wait_until(lambda: queue_empty(broker), message="both tasks done")
    wait_until(lambda: due_reminders() == 2, message="reminders sent")
    time.sleep(1)
    assert due_reminders() == 2
    for head in waiting_communities:
        assert Notification.objects.filter(recipient=head, title__contains="2026-10").count() == 1


def test_two_workers_racing_send_each_reminder_once(broker, workers, waiting_communities):
    workers(broker)
    workers(broker)
    for _ in range(6):
        reporting_tasks.daily_reminders.apply_async(kwargs={"day": REMINDER_DAY})
    wait_until(lambda: queue_empty(broker), message="all tasks done")
    wait_until(lambda: due_reminders() == 2, message="reminders sent")
    time.sleep(1)
    assert due_reminders() == 2
    for head in waiting_communities:
        assert Notification.objects.filter(recipient=head, title__contains="2026-10").count() == 1


@pytest.fixture
def private_redis(tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    """A Redis of this test's own on a free port, so that stopping it disturbs nobody else."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed for the broker-outage test"
    port = free_port()
    servers: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        server = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp_path),
            ],
            stdout=subprocess.DEVNULL,
        )
        servers.append(server)
        client = redis.Redis(port=port)
        wait_until(lambda: _pings(client), 20, "private redis up")
        return server

    start.url = f"redis://127.0.0.1:{port}/0"  # type: ignore[attr-defined]
    yield start
    for server in servers:
        server.terminate()
        server.wait(10)


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_with_the_broker_down_a_submission_succeeds_and_its_work_goes_when_it_returns(
    private_redis, workers, client, community_a, inspector_a, district_officer_a
):
    district_officer_a.email = "officer@district.gov.cn"
    district_officer_a.save(update_fields=["email"])
    client.force_login(inspector_a)
    with broker_at(private_redis.url):
        started = time.monotonic()
        response = client.post(
            "/incidents/new/",
            {
                "unit_name": "张记面馆",
                "place": "文三路 18 号",
                "occurred_at": (timezone.localtime() - dt.timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M"),
                "facts": "就餐后多人腹泻",
                "people_affected": 3,
            },
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    # Not held up by retries against the missing broker.
    assert elapsed < 5
    notice = Notification.objects.get(recipient=district_officer_a)
    delivery = Delivery.objects.get(notification=notice)
    assert delivery.delivered_at is None
    pending = PendingTask.objects.get(task_name="notifications.deliver")
    assert pending.sent_at is None and "Connection refused" in pending.last_error

    private_redis()
    worker = workers(private_redis.url)
    # The worker flushes the outbox as it starts: the e-mail goes out.
    wait_until(
        lambda: Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=False).exists(),
        60,
        "e-mail delivered after the broker came back",
    )
    assert PendingTask.objects.get(pk=pending.pk).sent_at is not None
    assert "officer@district.gov.cn" in worker.output() or "张记面馆" in worker.output()


def test_a_worker_killed_in_the_middle_of_a_task_does_not_lose_it(
    broker, workers, waiting_communities, community_a
):
    # Another session holds the very row the task is about to write, so the task
    # stops in the middle, inside its transaction, until that session lets go.
    blocker = psycopg.connect(database_url(), autocommit=False)
    blocker.execute(
        "INSERT INTO notifications_reminder (kind, org_unit_id, subject, sent_at, recipients)"
        " VALUES (%s, %s, %s, now(), 0)",
        (ReminderKind.REPORT_DUE, community_a.pk, "2026-10/3d"),
    )
    worker = workers(broker, CELERY_VISIBILITY_TIMEOUT="5")
    reporting_tasks.daily_reminders.apply_async(kwargs={"day": REMINDER_DAY})
    wait_until(lambda: _lock_waiters(blocker) > 0, 60, "task waiting inside its transaction")
    worker.kill()
    blocker.rollback()
    blocker.close()
    assert due_reminders() == 0

    # The message was never acknowledged: a new worker gets it back and finishes the work.
    workers(broker, CELERY_VISIBILITY_TIMEOUT="5")
    wait_until(lambda: due_reminders() == 2, 90, "the task ran again after the kill")
    for head in waiting_communities:
        assert Notification.objects.filter(recipient=head, title__contains="2026-10").count() == 1


def _lock_waiters(conn: psycopg.Connection) -> int:
    with psycopg.connect(database_url(), autocommit=True) as observer:
        row = observer.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND pid <> %s",
            (conn.info.backend_pid,),
        ).fetchone()
    return row[0]


def test_a_notice_reaches_the_units_wecom_group_through_the_worker_after_a_failed_try(
    broker, workers, settings, community_a, head_a
):
    stand_in, server = serve()
    try:
        settings.NOTIFICATION_ALLOW_LOCAL_HTTP = True
        group_robot_save(
            user=head_a,
            unit=community_a,
            kind=RobotKind.WECOM,
            webhook_url=f"{stand_in.url}/cgi-bin/webhook/send?key=worker-robot-key-0001",
        )
        stand_in.answer((500, {}))  # the first try fails; the task's retry delivers it
        workers(broker, NOTIFICATION_ALLOW_LOCAL_HTTP="true")
        notify(recipients=[head_a], title="工作进程送达测试")
        delivery = Delivery.objects.get(channel="wecom")
        wait_until(
            lambda: Delivery.objects.filter(pk=delivery.pk, delivered_at__isnull=False).exists(),
            60,
            "the robot's message delivered by the worker",
        )
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        received = stand_in.at("/cgi-bin/webhook/send")
        assert len(received) == 2
        assert received[-1].query == {"key": "worker-robot-key-0001"}
        assert "工作进程送达测试" in received[-1].body["markdown"]["content"]
    finally:
        server.shutdown()
        server.server_close()
