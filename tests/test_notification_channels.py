"""Notices on SMS and on the units' WeCom and DingTalk group robots (§10), driven against a local
stand-in server: what each provider receives, failures kept apart, retries sending once, urgent
notices on every channel, and the robots' keys kept secret."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import logging

import pytest
from django.urls import reverse

from notifications.models import Delivery, GroupRobot, RobotKind
from notifications.services import delivery_send, group_robot_save, notify
from notifications.tasks import deliver
from notifications.webhooks import ChannelError
from orgs.models import Role
from tests.factories import UserFactory
from tests.stand_in import Slow, serve

pytestmark = pytest.mark.django_db

WECOM_KEY = "wecom-key-5f1c9a7e-1234-4bcd-9876-0123456789ab"
DINGTALK_TOKEN = "dingtalk-token-0a1b2c3d4e5f60718293a4b5c6d7e8f9"
DINGTALK_SECRET = "SECd3c0f1e2a4b5968778695a4b3c2d1e0f1234567890abcdef"
SMS_KEY = "sms-api-key-7d6c5b4a39281706"
SECRETS = (WECOM_KEY, DINGTALK_TOKEN, DINGTALK_SECRET, SMS_KEY)


@pytest.fixture
def stand_in(settings):
    stand_in, server = serve()
    settings.NOTIFICATION_ALLOW_LOCAL_HTTP = True
    settings.SMS_API_URL = f"{stand_in.url}/sms/send"
    settings.SMS_API_KEY = SMS_KEY
    settings.NOTIFICATION_CHANNELS = ["email", "sms", "wecom", "dingtalk"]
    yield stand_in
    server.shutdown()
    server.server_close()


@pytest.fixture
def head_b(community_b):
    return UserFactory(username="head_b", role=Role.COMMUNITY_HEAD, org_unit=community_b, certificate_no="")


@pytest.fixture
def wecom_a(stand_in, head_a, community_a) -> GroupRobot:
    return group_robot_save(
        user=head_a,
        unit=community_a,
        kind=RobotKind.WECOM,
        webhook_url=f"{stand_in.url}/cgi-bin/webhook/send?key={WECOM_KEY}",
    )


@pytest.fixture
def dingtalk_a(stand_in, head_a, community_a) -> GroupRobot:
    return group_robot_save(
        user=head_a,
        unit=community_a,
        kind=RobotKind.DINGTALK,
        webhook_url=f"{stand_in.url}/robot/send?access_token={DINGTALK_TOKEN}",
        secret=DINGTALK_SECRET,
    )


def reachable(user, *, email: str = "", mobile: str = "", channels: list[str] | None = None):
    user.email, user.mobile = email, mobile
    if channels is not None:
        user.notice_channels = channels
    user.save()
    return user


def send_all(first: str = "") -> None:
    """Each delivery as its task would (the channel `first` first), a failing one not stopping the others."""
    for delivery in sorted(Delivery.objects.order_by("pk"), key=lambda d: d.channel != first):
        with contextlib.suppress(ChannelError):
            delivery_send(delivery_id=delivery.pk)


def delivered(channel: str) -> bool:
    return Delivery.objects.filter(channel=channel, delivered_at__isnull=False).exists()


def test_wecom_robot_gets_one_markdown_message_per_unit(
    stand_in, wecom_a, inspector_a, partner_a, inspector_b
):
    notify(recipients=[inspector_a, partner_a, inspector_b], title="翠苑社区本月报表待提交", link="/reports/")
    robot_deliveries = Delivery.objects.filter(channel="wecom")
    # Two people of community A: one message to A's group; community B has no robot.
    assert robot_deliveries.count() == 1
    delivery = robot_deliveries.get()
    assert delivery.org_unit == inspector_a.org_unit
    assert WECOM_KEY not in delivery.address and delivery.address.endswith("…89ab")
    assert delivery_send(delivery_id=delivery.pk) is True
    [got] = stand_in.at("/cgi-bin/webhook/send")
    assert got.query == {"key": WECOM_KEY}
    assert got.body["msgtype"] == "markdown"
    assert "**翠苑社区本月报表待提交**" in got.body["markdown"]["content"]
    assert "http://127.0.0.1:8000/reports/" in got.body["markdown"]["content"]
    # Sent once: the task run again finds it delivered.
    assert delivery_send(delivery_id=delivery.pk) is False
    assert len(stand_in.at("/cgi-bin/webhook/send")) == 1


def test_dingtalk_robot_signs_its_requests(stand_in, dingtalk_a, inspector_a):
    notify(recipients=[inspector_a], title="事故警报", body="翠苑小学食堂多人腹泻", urgent=True)
    delivery_send(delivery_id=Delivery.objects.get(channel="dingtalk").pk)
    [got] = stand_in.at("/robot/send")
    assert got.query["access_token"] == DINGTALK_TOKEN
    timestamp = got.query["timestamp"]
    expected = hmac.new(
        DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
    ).digest()
    assert got.query["sign"] == base64.b64encode(expected).decode()
    assert got.body["msgtype"] == "markdown"
    assert got.body["markdown"]["title"] == "事故警报"
    assert got.body["markdown"]["text"].startswith("**【紧急】事故警报**")
    assert "翠苑小学食堂多人腹泻" in got.body["markdown"]["text"]


def test_sms_goes_to_the_provider_with_the_key(stand_in, inspector_a):
    reachable(inspector_a, mobile="13812345678", channels=["sms"])
    notify(recipients=[inspector_a], title="巡查记录被退回", link="/patrols/")
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.address) == ("sms", "13812345678")
    assert delivery.shown_address == "138****5678"
    delivery_send(delivery_id=delivery.pk)
    [got] = stand_in.at("/sms/send")
    assert got.headers["Authorization"] == f"Bearer {SMS_KEY}"
    assert got.body["phone"] == "13812345678"
    assert got.body["message"].startswith("巡查记录被退回")
    assert got.body["message"].endswith("http://127.0.0.1:8000/patrols/")


def test_a_failing_robot_records_its_error_and_the_other_channels_deliver(
    stand_in, wecom_a, inspector_a, caplog
):
    from django.core import mail

    reachable(
        inspector_a, email="a@community.gov.cn", mobile="13812345678", channels=["email", "sms", "wecom"]
    )
    stand_in.answer((500, {"error": "down"}))  # the first request, WeCom's, fails
    notify(recipients=[inspector_a], title="通知")
    wecom = Delivery.objects.get(channel="wecom")
    with caplog.at_level(logging.WARNING):
        send_all(first="wecom")
    wecom.refresh_from_db()
    assert (wecom.attempts, wecom.delivered_at, wecom.last_error) == (1, None, "HTTP 500")
    assert delivered("email") and delivered("sms")
    assert [m.to for m in mail.outbox] == [["a@community.gov.cn"]]
    assert WECOM_KEY not in caplog.text


def test_a_robot_that_answers_an_errcode_failed_and_its_key_is_not_recorded(stand_in, wecom_a, inspector_a):
    stand_in.answer((200, {"errcode": 93000, "errmsg": f"invalid webhook url, key={WECOM_KEY}"}))
    notify(recipients=[inspector_a], title="通知")
    delivery = Delivery.objects.get(channel="wecom")
    with pytest.raises(ChannelError):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.delivered_at is None
    assert delivery.last_error.startswith("errcode 93000")
    assert WECOM_KEY not in delivery.last_error and "key=***" in delivery.last_error


def test_a_provider_that_times_out_is_retried(stand_in, settings, dingtalk_a, inspector_a):
    settings.NOTIFICATION_HTTP_TIMEOUT = 0.3
    stand_in.answer(Slow(1))
    notify(recipients=[inspector_a], title="通知")
    delivery = Delivery.objects.get(channel="dingtalk")
    with pytest.raises(ChannelError) as failure:
        delivery_send(delivery_id=delivery.pk)
    assert "timed out" in str(failure.value)
    assert DINGTALK_SECRET not in str(failure.value) and DINGTALK_TOKEN not in str(failure.value)
    # The task retries it, with back-off.
    assert isinstance(failure.value, deliver.autoretry_for)


def test_a_retry_after_a_failure_delivers_once(stand_in, wecom_a, inspector_a, partner_a):
    stand_in.answer((502, {}), (200, {"errcode": 45009, "errmsg": "api freq out of limit"}))
    notify(recipients=[inspector_a, partner_a], title="通知")
    delivery = Delivery.objects.get(channel="wecom")
    for _attempt in range(2):
        with pytest.raises(ChannelError):
            delivery_send(delivery_id=delivery.pk)
    assert delivery_send(delivery_id=delivery.pk) is True
    assert delivery_send(delivery_id=delivery.pk) is False
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_error) == (3, "")
    assert delivery.delivered_at is not None
    # Three requests, one of them taken: the group saw the notice once.
    assert len(stand_in.at("/cgi-bin/webhook/send")) == 3


def test_each_person_chooses_their_channels_and_urgent_overrides_the_choice(stand_in, wecom_a, inspector_a):
    reachable(inspector_a, email="a@community.gov.cn", mobile="13812345678", channels=[])
    notify(recipients=[inspector_a], title="普通通知")
    assert not Delivery.objects.exists()
    notify(recipients=[inspector_a], title="事故警报", urgent=True)
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"email", "sms", "wecom"}


def test_the_defaults_are_email_and_the_units_groups_not_sms(stand_in, wecom_a, community_a):
    person = UserFactory(org_unit=community_a, email="new@community.gov.cn", mobile="13900000000")
    assert person.notice_channels == ["email", "wecom", "dingtalk"]
    notify(recipients=[person], title="通知")
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"email", "wecom"}
    without_email = UserFactory(org_unit=community_a)
    Delivery.objects.all().delete()
    notify(recipients=[without_email], title="通知")
    assert set(Delivery.objects.values_list("channel", flat=True)) == {"wecom"}


def test_a_robot_switched_off_is_not_posted_to(stand_in, wecom_a, inspector_a):
    wecom_a.enabled = False
    wecom_a.save()
    notify(recipients=[inspector_a], title="通知", urgent=True)
    assert not Delivery.objects.filter(channel="wecom").exists()


# The office's pages and the API


def test_head_sets_the_robot_and_sees_it_only_masked(client, stand_in, head_a, community_a):
    client.force_login(head_a)
    url = reverse("notifications:unit_robots", args=[community_a.pk])
    response = client.post(
        url,
        {
            "kind": "dingtalk",
            "action": "save",
            "dingtalk-webhook_url": f"{stand_in.url}/robot/send?access_token={DINGTALK_TOKEN}",
            "dingtalk-secret": DINGTALK_SECRET,
            "dingtalk-enabled": "on",
        },
    )
    assert response.status_code == 302
    robot = GroupRobot.objects.get(org_unit=community_a, kind="dingtalk")
    assert (robot.secret, robot.updated_by) == (DINGTALK_SECRET, head_a)
    page = client.get(url).text
    assert "access_token=…e8f9" in page and "已加签" in page
    assert all(secret not in page for secret in SECRETS)
    # Saving again with the fields blank keeps the address and the secret.
    client.post(url, {"kind": "dingtalk", "action": "save", "dingtalk-enabled": "on"})
    robot.refresh_from_db()
    assert DINGTALK_TOKEN in robot.webhook_url and robot.secret == DINGTALK_SECRET


def test_the_test_button_posts_to_the_group_and_shows_a_failure_without_the_key(
    client, stand_in, head_a, community_a, wecom_a
):
    client.force_login(head_a)
    url = reverse("notifications:unit_robots", args=[community_a.pk])
    page = client.post(url, {"kind": "wecom", "action": "test"}, follow=True).text
    assert "测试消息已发送到群里" in page
    [got] = stand_in.at("/cgi-bin/webhook/send")
    assert "**测试消息**" in got.body["markdown"]["content"]
    stand_in.answer((200, {"errcode": 93000, "errmsg": f"invalid webhook url {WECOM_KEY}"}))
    page = client.post(url, {"kind": "wecom", "action": "test"}, follow=True).text
    assert "测试消息发送失败" in page and "errcode 93000" in page
    assert WECOM_KEY not in page


def test_the_unit_page_lists_recent_deliveries_and_failures(client, stand_in, head_a, community_a, wecom_a):
    stand_in.answer((500, {}))
    notify(recipients=[head_a], title="本月报表今天到期")
    send_all()
    client.force_login(head_a)
    page = client.get(reverse("notifications:unit_robots", args=[community_a.pk])).text
    assert "本月报表今天到期" in page and "HTTP 500" in page and "1 条发送失败" in page
    assert WECOM_KEY not in page


@pytest.mark.parametrize(
    "address",
    [
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",  # not https
        "https://evil.example/cgi-bin/webhook/send?key=abc",  # not WeCom's or DingTalk's host
        "https://qyapi.weixin.qq.com:8443/cgi-bin/webhook/send?key=abc",
        "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
        "http://10.0.0.1/internal",
        "https://[::1",
        "https://qyapi.weixin.qq.com/" + "k" * 500,
    ],
)
def test_a_robot_address_must_be_https_to_the_providers(api, head_a, community_a, address):
    api.force_authenticate(head_a)
    response = api.post(
        "/api/group-robots/",
        {"org_unit": community_a.pk, "kind": "wecom", "webhook_url": address},
        format="json",
    )
    assert response.status_code == 400
    assert not GroupRobot.objects.exists()


def test_plain_http_to_this_machine_only_when_the_setting_allows(api, settings, head_a, community_a):
    api.force_authenticate(head_a)
    body = {"org_unit": community_a.pk, "kind": "wecom", "webhook_url": "http://127.0.0.1:9/send?key=x"}
    settings.NOTIFICATION_ALLOW_LOCAL_HTTP = False
    assert api.post("/api/group-robots/", body, format="json").status_code == 400
    settings.NOTIFICATION_ALLOW_LOCAL_HTTP = True
    assert api.post("/api/group-robots/", body, format="json").status_code == 201


def test_the_api_never_answers_with_the_key_or_the_secret(api, stand_in, head_a, community_a, dingtalk_a):
    api.force_authenticate(head_a)
    listed = api.get("/api/group-robots/")
    one = api.get(f"/api/group-robots/{dingtalk_a.pk}/")
    changed = api.patch(f"/api/group-robots/{dingtalk_a.pk}/", {"enabled": False}, format="json")
    for response in (listed, one, changed):
        assert response.status_code == 200
        assert all(secret not in response.content.decode() for secret in SECRETS)
    assert one.json()["has_secret"] is True
    assert one.json()["masked_url"].endswith("access_token=…e8f9")
    dingtalk_a.refresh_from_db()
    assert not dingtalk_a.enabled and dingtalk_a.secret == DINGTALK_SECRET


def test_another_communitys_head_cannot_read_or_change_the_robot_by_guessing_ids(
    client, api, stand_in, head_b, community_a, wecom_a
):
    client.force_login(head_b)
    url = reverse("notifications:unit_robots", args=[community_a.pk])
    assert client.get(url).status_code == 404
    hijack = {
        "kind": "wecom",
        "action": "save",
        "wecom-webhook_url": "https://qyapi.weixin.qq.com/s?key=evil",
    }
    assert client.post(url, hijack).status_code == 404
    assert client.post(url, {"kind": "wecom", "action": "remove"}).status_code == 404
    api.force_authenticate(head_b)
    assert api.get(f"/api/group-robots/{wecom_a.pk}/").status_code == 404
    patched = api.patch(
        f"/api/group-robots/{wecom_a.pk}/",
        {"webhook_url": "https://qyapi.weixin.qq.com/s?key=evil"},
        format="json",
    )
    assert patched.status_code == 404
    assert api.delete(f"/api/group-robots/{wecom_a.pk}/").status_code == 404
    created = api.post(
        "/api/group-robots/",
        {
            "org_unit": community_a.pk,
            "kind": "wecom",
            "webhook_url": "https://qyapi.weixin.qq.com/s?key=evil",
        },
        format="json",
    )
    assert created.status_code == 400 and "org_unit" in created.json()
    assert api.get("/api/group-robots/").json()["results"] == []
    wecom_a.refresh_from_db()
    assert WECOM_KEY in wecom_a.webhook_url and wecom_a.enabled


def test_an_inspector_sets_no_robot_even_of_their_own_community(client, api, inspector_a, community_a):
    client.force_login(inspector_a)
    assert client.get(reverse("notifications:robot_units")).status_code == 403
    assert client.get(reverse("notifications:unit_robots", args=[community_a.pk])).status_code == 404
    api.force_authenticate(inspector_a)
    body = {"org_unit": community_a.pk, "kind": "wecom", "webhook_url": "https://qyapi.weixin.qq.com/s?key=k"}
    assert api.post("/api/group-robots/", body, format="json").status_code == 400
    assert not GroupRobot.objects.exists()


def test_each_person_edits_their_own_channels_on_the_page_and_the_api(client, api, inspector_a, partner_a):
    client.force_login(inspector_a)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200 and "通知方式" in page.text
    response = client.post(
        reverse("notifications:preferences"), {"channels": ["sms"], "mobile": "13912345678"}
    )
    assert response.status_code == 302
    inspector_a.refresh_from_db()
    assert (inspector_a.notice_channels, inspector_a.mobile) == (["sms"], "13912345678")
    bad = client.post(reverse("notifications:preferences"), {"channels": ["fax"], "mobile": "12345"})
    assert bad.status_code == 200 and "请输入 11 位中国大陆手机号码" in bad.text
    api.force_authenticate(partner_a)
    assert api.get("/api/notifications/preferences/").json() == {
        "channels": ["email", "wecom", "dingtalk"],
        "mobile": "",
    }
    changed = api.patch("/api/notifications/preferences/", {"channels": ["email"]}, format="json")
    assert changed.json() == {"channels": ["email"], "mobile": ""}
    partner_a.refresh_from_db()
    inspector_a.refresh_from_db()
    assert partner_a.notice_channels == ["email"] and inspector_a.notice_channels == ["sms"]
    refused = api.put(
        "/api/notifications/preferences/", {"channels": ["sms"] * 5, "mobile": "1" * 40}, format="json"
    )
    assert refused.status_code == 400 and set(refused.json()) == {"channels", "mobile"}


def test_the_page_refuses_an_address_off_the_providers_and_keeps_nothing(client, head_a, community_a):
    client.force_login(head_a)
    url = reverse("notifications:unit_robots", args=[community_a.pk])
    response = client.post(
        url,
        {"kind": "wecom", "action": "save", "wecom-webhook_url": "https://evil.example/send?key=abc"},
    )
    assert response.status_code == 200
    assert "地址必须属于 qyapi.weixin.qq.com, oapi.dingtalk.com" in response.text
    assert not GroupRobot.objects.exists()
    new_robot = client.post(url, {"kind": "wecom", "action": "save", "wecom-enabled": "on"})
    assert "请填写机器人地址" in new_robot.text


def test_the_offices_find_their_units_robots_from_the_menu(client, head_a, district_officer_a, inspector_a):
    client.force_login(head_a)
    assert reverse("notifications:robot_units") in client.get(reverse("me")).text
    listed = client.get(reverse("notifications:robot_units")).text
    assert reverse("notifications:unit_robots", args=[head_a.org_unit_id]) in listed
    client.force_login(district_officer_a)
    listed = client.get(reverse("notifications:robot_units")).text
    assert reverse("notifications:unit_robots", args=[district_officer_a.org_unit_id]) in listed
    assert reverse("notifications:unit_robots", args=[head_a.org_unit_id]) not in listed
    client.force_login(inspector_a)
    menu = client.get(reverse("me")).text
    assert reverse("notifications:robot_units") not in menu
    assert reverse("notifications:preferences") in menu
