"""The reminder schedule (§10): the right reminders on the right days, once each, in Asia/Shanghai time.

These run the beat's daily tasks in the test's process with the clock frozen;
tests/test_celery_worker.py runs them on a real worker against Redis.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.core.management import call_command

from notifications.models import Delivery, Notification, PendingTask, Reminder, ReminderKind
from notifications.outbox import outbox_flush
from orgs.models import Role
from patrols.models import FindingKind
from patrols.services import incidents as incident_services
from patrols.services import records
from publicity.models import BoardUpdate
from reporting import tasks as reporting_tasks
from reporting.models import MonthlyReport, ReportStatus, StoredSummary
from reporting.services import report_link
from tests.factories import EstablishmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)


def at(day: dt.date, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def run_daily(clock, day: dt.date, hour: int = 8) -> None:
    """What beat does at REMINDER_HOUR: every app's daily task, with no date given; then the
    outbox flush of the next minute sends the work they queued (the test's transaction never
    commits, so nothing leaves on commit)."""
    from django.conf import settings

    from config.celery import registered_task

    clock.set(at(day, hour))
    for name in settings.DAILY_TASKS:
        registered_task(name).delay()
    outbox_flush()


def reminders(kind: str) -> set[tuple[str, str]]:
    return set(Reminder.objects.filter(kind=kind).values_list("org_unit__name", "subject"))


def submitted(unit, period: dt.date) -> MonthlyReport:
    return MonthlyReport.objects.create(
        unit=unit,
        period=period,
        status=ReportStatus.SUBMITTED,
        narrative="本月工作正常",
        submitted_at=at(period.replace(day=28)),
        first_submitted_at=at(period.replace(day=28)),
    )


@pytest.fixture
def opened(community_a, community_b, district_a):
    """Both communities and their district exist since the start of the year."""
    for unit in (community_a, community_b, district_a):
        unit.opened_on = dt.date(2026, 1, 1)
        unit.save(update_fields=["opened_on"])


@pytest.fixture
def heads(community_a, community_b):
    return {
        "a": UserFactory(
            username="head_a", role=Role.COMMUNITY_HEAD, org_unit=community_a, certificate_no=""
        ),
        "b": UserFactory(
            username="head_b", role=Role.COMMUNITY_HEAD, org_unit=community_b, certificate_no=""
        ),
    }


def test_report_reminders_go_three_days_and_one_day_before_the_5th_and_urgently_on_it(
    clock, opened, heads, community_a, community_b
):
    submitted(community_a, dt.date(2026, 10, 1))
    for day in range(1, 6):
        run_daily(clock, dt.date(2026, 11, day))
        sent = reminders(ReminderKind.REPORT_DUE)
        if day == 2:
            assert sent == {("文新社区", "2026-10/3d")}
        if day == 4:
            assert sent == {("文新社区", "2026-10/3d"), ("文新社区", "2026-10/1d")}
    assert ("文新社区", "2026-10/0d") in reminders(ReminderKind.REPORT_DUE)
    # Community A submitted: nobody there heard anything about its report.
    assert not Notification.objects.filter(
        recipient=heads["a"], link=report_link(community_a, OCTOBER)
    ).exists()
    notices = Notification.objects.filter(recipient=heads["b"], link=report_link(community_b, OCTOBER))
    # On the due day itself the notice is urgent: it goes out on every channel the head can be reached on.
    assert [n.urgent for n in notices.order_by("created_at", "pk")] == [False, False, True]
    assert all("2026-11-05" in n.title for n in notices)


def test_district_reminders_go_before_the_10th(clock, opened, district_a, district_officer_a):
    for day in (6, 7, 8, 9, 10):
        run_daily(clock, dt.date(2026, 11, day))
    assert {s for unit, s in reminders(ReminderKind.REPORT_DUE) if unit == district_a.name} == {
        "2026-10/3d",
        "2026-10/1d",
        "2026-10/0d",
    }
    assert (
        Notification.objects.filter(
            recipient=district_officer_a, link=report_link(district_a, OCTOBER)
        ).count()
        == 3
    )


def test_reminders_around_the_year_end_are_about_december(clock, opened, heads):
    run_daily(clock, dt.date(2027, 1, 2))
    assert ("翠苑社区", "2026-12/3d") in reminders(ReminderKind.REPORT_DUE)


def test_the_day_is_the_day_in_shanghai_not_in_utc(clock, opened, heads):
    # 00:30 on 2 December in Shanghai is still 1 December in UTC.
    clock.set(dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC))
    reporting_tasks.daily_reminders.delay()
    assert ("翠苑社区", "2026-11/3d") in reminders(ReminderKind.REPORT_DUE)
    # 23:30 on 1 December in Shanghai: not yet the day of the reminder.
    Reminder.objects.all().delete()
    clock.set(dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.UTC))
    reporting_tasks.daily_reminders.delay()
    assert reminders(ReminderKind.REPORT_DUE) == set()


def test_a_reminder_goes_once_however_often_the_day_is_run(clock, opened, heads):
    for _ in range(3):
        run_daily(clock, dt.date(2026, 11, 2))
    assert Reminder.objects.filter(kind=ReminderKind.REPORT_DUE).count() == 2
    assert Notification.objects.filter(recipient=heads["a"], link__contains="2026-10").count() == 1


def test_overdue_notice_goes_to_the_unit_and_the_district_once(
    clock, opened, heads, community_a, community_b, district_officer_a
):
    submitted(community_a, dt.date(2026, 10, 1))
    run_daily(clock, dt.date(2026, 11, 5))
    assert reminders(ReminderKind.REPORT_OVERDUE) == set()
    run_daily(clock, dt.date(2026, 11, 6))
    run_daily(clock, dt.date(2026, 11, 7))
    assert reminders(ReminderKind.REPORT_OVERDUE) == {("文新社区", "2026-10")}
    overdue = Notification.objects.filter(link=report_link(community_b, OCTOBER), urgent=True)
    assert set(overdue.values_list("recipient__username", flat=True)) == {"head_b", "officer_a"}


def test_missing_patrol_notice_names_the_community_without_a_patrol(
    clock, opened, heads, inspector_a, partner_a
):
    clock.set(at(dt.date(2026, 11, 9), 9))
    patrol = records.patrol_start(user=inspector_a, team=[partner_a], date=dt.date(2026, 11, 9))[0]
    records.visit_record(
        user=inspector_a,
        patrol=patrol,
        establishment=EstablishmentFactory(community=inspector_a.org_unit),
        result="compliant",
    )
    records.patrol_submit(user=inspector_a, patrol=patrol)
    run_daily(clock, dt.date(2026, 11, 10))
    assert reminders(ReminderKind.MISSING_PATROL) == {("文新社区", "2026-11-09")}
    assert Notification.objects.filter(recipient=heads["b"], title__contains="2026-11-09").exists()
    # Community A's head heard only that the record awaits review, not that a patrol was missing.
    titles = Notification.objects.filter(recipient=heads["a"], title__contains="2026-11-09")
    assert set(titles.values_list("title", flat=True)) == {"2026-11-09 的巡查记录待您审核"}


def test_a_draft_does_not_silence_the_missing_patrol_notice(clock, opened, heads, inspector_a, partner_a):
    clock.set(at(dt.date(2026, 11, 9), 9))
    draft = records.patrol_start(user=inspector_a, team=[partner_a], date=dt.date(2026, 11, 9))[0]
    records.visit_record(
        user=inspector_a,
        patrol=draft,
        establishment=EstablishmentFactory(community=inspector_a.org_unit),
        result="compliant",
    )
    run_daily(clock, dt.date(2026, 11, 10))
    assert reminders(ReminderKind.MISSING_PATROL) == {("文新社区", "2026-11-09"), ("翠苑社区", "2026-11-09")}
    assert Notification.objects.filter(recipient=heads["a"], title__contains="2026-11-09").exists()


def test_no_missing_patrol_notice_before_a_community_opened(clock, opened, heads, community_b):
    community_b.opened_on = dt.date(2026, 11, 10)
    community_b.save(update_fields=["opened_on"])
    run_daily(clock, dt.date(2026, 11, 10))
    assert ("文新社区", "2026-11-09") not in reminders(ReminderKind.MISSING_PATROL)


def test_rectification_due_tomorrow_and_then_overdue(
    clock, opened, heads, community_a, inspector_a, partner_a, district_officer_a
):
    shop = EstablishmentFactory(community=community_a, name="张记面馆")
    day = dt.date(2026, 11, 2)
    clock.set(at(day, 9))
    patrol = records.patrol_start(user=inspector_a, team=[partner_a], date=day)[0]
    clock.set(at(day, 10))  # the visit is recorded when it is made, not before (config.bounds)
    records.visit_record(
        user=inspector_a,
        patrol=patrol,
        establishment=shop,
        visited_at=at(day, 10),
        result="issues",
        finding_items=[
            records.FindingInput(
                kind=FindingKind.SAFETY_RISK,
                category="hygiene",
                description="后厨卫生差",
                rectification_deadline=dt.date(2026, 11, 9),
            )
        ],
    )
    run_daily(clock, dt.date(2026, 11, 7))
    assert reminders(ReminderKind.RECTIFICATION_DUE) == set()
    run_daily(clock, dt.date(2026, 11, 8))
    assert reminders(ReminderKind.RECTIFICATION_DUE) == {("翠苑社区", "2026-11-09")}
    run_daily(clock, dt.date(2026, 11, 9))
    assert reminders(ReminderKind.RECTIFICATION_OVERDUE) == set()
    # Overdue climbs the escalation ladder (tests/test_rectifications.py): the community head on
    # the first day past the deadline, the district office three days (the default) later.
    run_daily(clock, dt.date(2026, 11, 10))
    run_daily(clock, dt.date(2026, 11, 11))
    assert Reminder.objects.filter(kind=ReminderKind.RECTIFICATION_OVERDUE).count() == 1
    assert Notification.objects.filter(recipient__username="head_a", title__contains="张记面馆").count() == 1
    assert not Notification.objects.filter(recipient=district_officer_a, title__contains="张记面馆").exists()
    run_daily(clock, dt.date(2026, 11, 13))
    run_daily(clock, dt.date(2026, 11, 14))
    assert Reminder.objects.filter(kind=ReminderKind.RECTIFICATION_OVERDUE).count() == 2
    assert Notification.objects.filter(recipient=district_officer_a, title__contains="张记面馆").count() == 1


def test_bulletin_board_due_in_three_days_then_overdue_in_the_next_month(
    clock, opened, heads, info_officer_a
):
    BoardUpdate.objects.create(
        community=info_officer_a.org_unit,
        kind="bulletin",
        date=dt.date(2026, 10, 3),
        summary="专栏",
        created_by=info_officer_a,
    )
    BoardUpdate.objects.create(
        community=info_officer_a.org_unit,
        kind="slogan",
        date=dt.date(2026, 10, 3),
        summary="标语",
        created_by=info_officer_a,
    )
    run_daily(clock, dt.date(2026, 11, 26))
    assert ("翠苑社区", "bulletin/2026-11-30") not in reminders(ReminderKind.PUBLICITY_DUE)
    run_daily(clock, dt.date(2026, 11, 27))
    assert ("翠苑社区", "bulletin/2026-11-30") in reminders(ReminderKind.PUBLICITY_DUE)
    run_daily(clock, dt.date(2026, 11, 30))
    assert ("翠苑社区", "bulletin/2026-11-30") not in reminders(ReminderKind.PUBLICITY_OVERDUE)
    run_daily(clock, dt.date(2026, 12, 1))
    run_daily(clock, dt.date(2026, 12, 2))
    overdue = reminders(ReminderKind.PUBLICITY_OVERDUE)
    assert ("翠苑社区", "bulletin/2026-11-30") in overdue
    # The slogans of the fourth quarter are not due before 31 December.
    assert not any(unit == "翠苑社区" and s.startswith("slogan") for unit, s in overdue)
    assert Notification.objects.filter(recipient=info_officer_a, title__contains="2026-11-30").count() == 2


def test_incident_without_follow_up_alerts_the_district_again_after_an_hour(
    clock, opened, community_a, inspector_a, district_officer_a
):
    reported = at(dt.date(2026, 11, 20), 10)
    clock.set(reported)
    incident = incident_services.incident_report(
        user=inspector_a, unit_name="张记面馆", place="文三路", occurred_at=reported, facts="腹泻"
    )
    assert PendingTask.objects.filter(task_name="patrols.incident_follow_up_check").exists()
    first_alerts = Notification.objects.filter(recipient=district_officer_a).count()
    clock.set(reported + dt.timedelta(minutes=59))
    outbox_flush()
    assert not Reminder.objects.filter(kind=ReminderKind.INCIDENT_NO_FOLLOW_UP).exists()
    clock.set(reported + dt.timedelta(minutes=61))
    outbox_flush()
    outbox_flush()
    assert reminders(ReminderKind.INCIDENT_NO_FOLLOW_UP) == {("翠苑社区", f"incident-{incident.pk}")}
    again = Notification.objects.filter(recipient=district_officer_a).exclude(pk__lte=0)
    assert again.count() == first_alerts + 1
    assert again.filter(urgent=True).count() == first_alerts + 1


def test_incident_with_a_follow_up_in_time_raises_no_second_alert(
    clock, opened, community_a, inspector_a, district_officer_a
):
    reported = at(dt.date(2026, 11, 20), 10)
    clock.set(reported)
    incident = incident_services.incident_report(
        user=inspector_a, unit_name="张记面馆", place="文三路", occurred_at=reported, facts="腹泻"
    )
    clock.set(reported + dt.timedelta(minutes=30))
    incident_services.incident_follow_up(user=inspector_a, incident=incident, text="已送医，病情稳定")
    clock.set(reported + dt.timedelta(minutes=90))
    outbox_flush()
    assert not Reminder.objects.filter(kind=ReminderKind.INCIDENT_NO_FOLLOW_UP).exists()


def test_summaries_are_stored_after_the_deadline_and_readable_only_in_scope(
    clock, opened, district_a, district_officer_a, district_officer_c, client
):
    run_daily(clock, dt.date(2026, 11, 5))
    assert not StoredSummary.objects.exists()
    run_daily(clock, dt.date(2026, 11, 6))
    summary = StoredSummary.objects.get(unit=district_a)
    assert summary.period == dt.date(2026, 10, 1)
    notice = Notification.objects.get(recipient=district_officer_a, link__endswith="sent-summary.pdf")
    client.force_login(district_officer_a)
    response = client.get(notice.link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"%PDF"
    client.force_login(district_officer_c)
    assert client.get(notice.link).status_code == 404


def test_city_summary_is_stored_the_day_after_the_districts_deadline(clock, opened, city, city_officer):
    run_daily(clock, dt.date(2026, 11, 11))
    assert StoredSummary.objects.filter(unit=city, period=dt.date(2026, 10, 1)).exists()
    assert Notification.objects.filter(recipient=city_officer, link__endswith="sent-summary.pdf").count() == 1


def test_notices_go_out_by_email_after_the_commit_once(
    clock, opened, community_a, inspector_a, district_officer_a, django_capture_on_commit_callbacks
):
    district_officer_a.email = "officer@district.gov.cn"
    district_officer_a.save(update_fields=["email"])
    clock.set(at(dt.date(2026, 11, 20), 10))
    with django_capture_on_commit_callbacks(execute=True):
        incident_services.incident_report(
            user=inspector_a,
            unit_name="张记面馆",
            place="文三路",
            occurred_at=at(dt.date(2026, 11, 20), 9, 30),
            facts="腹泻",
        )
    assert [m.to for m in mail.outbox] == [["officer@district.gov.cn"]]
    assert "张记面馆" in mail.outbox[0].subject
    delivery = Delivery.objects.get()
    assert delivery.delivered_at is not None
    # Flushing again, or the task running again, sends nothing more.
    outbox_flush()
    from notifications.tasks import deliver

    assert deliver.delay(delivery.pk).get() is False
    assert len(mail.outbox) == 1


def test_send_reminders_command_runs_the_day_in_process(clock, opened, heads):
    clock.set(at(dt.date(2026, 11, 2)))
    call_command("send_reminders", "--date", "2026-11-02")
    assert ("翠苑社区", "2026-10/3d") in reminders(ReminderKind.REPORT_DUE)


def test_the_outbox_keeps_sent_work_a_week(clock, opened, heads):
    clock.set(at(dt.date(2026, 11, 2)))
    call_command("send_reminders", "--date", "2026-11-02")
    PendingTask.objects.create(task_name="notifications.outbox_flush", sent_at=at(dt.date(2026, 11, 1)))
    clock.set(at(dt.date(2026, 11, 7)))
    outbox_flush()
    assert PendingTask.objects.filter(sent_at__isnull=False).exists()
    clock.set(at(dt.date(2026, 11, 9)))
    outbox_flush()
    assert not PendingTask.objects.filter(sent_at__lt=at(dt.date(2026, 11, 2))).exists()


def test_assessment_window_is_announced_once_and_the_units_with_work_left_reminded_before_it_closes(
    clock, opened, district_a, district_officer_a, inspector_a, head_a
):
    run_daily(clock, dt.date(2026, 11, 30))
    assert not Reminder.objects.filter(kind=ReminderKind.ASSESSMENT_WINDOW).exists()
    run_daily(clock, dt.date(2026, 12, 1))
    run_daily(clock, dt.date(2026, 12, 2))
    opened_notices = reminders(ReminderKind.ASSESSMENT_WINDOW)
    assert ("东城区", "2026/community/open") in opened_notices
    assert ("翠苑社区", "2026/inspector/open") in opened_notices
    assert Notification.objects.filter(recipient=district_officer_a, link="/assessment/").count() == 1
    assert Notification.objects.filter(recipient=head_a, link="/assessment/").count() == 1
    run_daily(clock, dt.date(2026, 12, 13))
    assert ("东城区", "2026/community/closing") in reminders(ReminderKind.ASSESSMENT_WINDOW)
    assert Notification.objects.filter(recipient=district_officer_a, link="/assessment/").count() == 2


def test_a_mail_server_that_refuses_leaves_the_notice_in_the_app_and_the_task_retries_with_back_off(
    clock, opened, district_officer_a, settings
):
    from notifications.services import delivery_send, notify
    from notifications.tasks import deliver

    # Nothing listens on port 9 of this machine: the SMTP connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    district_officer_a.email = "officer@district.gov.cn"
    district_officer_a.save(update_fields=["email"])
    notify(recipients=[district_officer_a], title="测试通知")
    delivery = Delivery.objects.get()
    for attempt in (1, 2):
        with pytest.raises(ConnectionRefusedError):
            delivery_send(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.attempts, delivery.delivered_at) == (attempt, None)
        assert "refused" in delivery.last_error
    assert Notification.objects.filter(recipient=district_officer_a, title="测试通知").exists()
    # The task retries on such errors, waiting longer each time, and gives up after a limit.
    assert issubclass(ConnectionRefusedError, deliver.autoretry_for)
    assert deliver.retry_backoff and deliver.max_retries == 8
