"""The visit record a shop keeps (§4): signed on the phone or marked refused, printed, and reached by
the shop from its public QR page for a limited time; and where a visit was saved, against the shop's
registered position."""

from __future__ import annotations

import base64
import datetime as dt
import io
import subprocess
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from patrols import geo
from patrols.models import Establishment, LeadSource, Visit
from patrols.services import leads as lead_services
from patrols.services import records as services
from patrols.views import public
from patrols.views.public import public_record_token, public_token
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db

# 张记面馆 stands at the West Lake; 2 km north is far, 100 m north is not.
SHOP_AT = (Decimal("30.259000"), Decimal("120.130000"))
NEAR = ("30.259900", "120.130000", "20.0")  # about 100 m
FAR = ("30.277000", "120.130000", "30.0")  # about 2 km


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def patrol_a(inspector_a, partner_a):
    return services.patrol_start(user=inspector_a, team=[partner_a])[0]


@pytest.fixture
def visit_a(inspector_a, patrol_a, shop_a):
    return services.visit_record(
        user=inspector_a,
        patrol=patrol_a,
        establishment=shop_a,
        result="issues",
        findings="冰柜温度过高",
        finding_items=[
            services.FindingInput(
                kind="safety_risk",
                category="storage",
                description="冰柜温度过高",
                rectification_deadline=timezone.localdate() + dt.timedelta(days=5),
            )
        ],
    )[0]


def png(drawn: bool = True, size: tuple[int, int] = (300, 110)) -> bytes:
    image = Image.new("RGBA", size, (255, 255, 255, 255))
    if drawn:
        ImageDraw.Draw(image).line([(20, 80), (120, 20), (200, 90), (280, 30)], fill=(0, 0, 0, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def data_url(raw: bytes, kind: str = "png") -> str:
    return f"data:image/{kind};base64," + base64.b64encode(raw).decode()


def sign(client, visit, **data):
    body = {"signer_name": "张老板", "signature": data_url(png())} | data
    return client.post(reverse("patrols:visit_sign", args=[visit.pk]), body)


# Signing and refusing


def test_a_team_member_has_the_shop_sign_and_the_record_shows_it(client, inspector_a, partner_a, visit_a):
    client.force_login(partner_a)
    before = timezone.now()
    response = sign(client, visit_a, signed_at="2000-01-01T00:00")  # a time sent along is ignored
    assert response.status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.shop_signer_name == "张老板"
    assert before <= visit_a.shop_signed_at <= timezone.now()
    assert visit_a.shop_signature.name.startswith("signatures/") and visit_a.shop_signature.name.endswith(
        ".png"
    )
    with Image.open(visit_a.shop_signature.open("rb")) as stored:
        assert stored.format == "PNG"
    page = client.get(reverse("patrols:visit_record", args=[visit_a.pk]))
    html = page.content.decode()
    assert "现场巡查记录" in html and "张老板" in html and "data:image/png;base64," in html
    # The team with the certificate numbers they showed, the finding with its deadline.
    for member in visit_a.patrol.members.all():
        assert member.certificate_no in html
    finding = visit_a.finding_set.get()
    assert f"{finding.rectification_deadline:%Y-%m-%d}" in html


@pytest.mark.parametrize(
    "signature, words",
    [
        (data_url(png(drawn=False)), "签名为空"),
        (data_url(png(size=(20, 20))), "像素"),
        ("data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff").decode(), "请先在框内签名"),
        (data_url(b"not a png at all"), "不是 PNG 图片"),
        ("", "请先在框内签名"),
    ],
)
def test_a_signature_that_is_not_a_drawn_png_is_refused_in_words(
    client, inspector_a, visit_a, signature, words
):
    client.force_login(inspector_a)
    response = sign(client, visit_a, signature=signature)
    assert response.status_code == 400
    assert words in response.content.decode()
    visit_a.refresh_from_db()
    assert visit_a.shop_signed_at is None and not visit_a.shop_signature


def test_a_signature_too_large_is_refused_before_it_is_read(client, inspector_a, visit_a):
    client.force_login(inspector_a)
    response = sign(client, visit_a, signature="data:image/png;base64," + "A" * 400_000)
    assert response.status_code == 400
    assert "签名图片超过 200 KB" in response.content.decode()
    assert Visit.objects.get(pk=visit_a.pk).shop_signed_at is None


def test_a_refusal_needs_a_reason_and_replaces_a_signature(client, inspector_a, visit_a):
    client.force_login(inspector_a)
    sign(client, visit_a)
    url = reverse("patrols:visit_refuse", args=[visit_a.pk])
    empty = client.post(url, {"reason": "  "})
    assert empty.status_code == 400 and "该字段是必填项" in empty.content.decode()
    too_long = client.post(url, {"reason": "长" * 201})
    assert too_long.status_code == 400
    assert client.post(url, {"reason": "负责人不在店，店员不愿签字"}).status_code == 302
    visit_a.refresh_from_db()
    assert visit_a.is_refused_by_shop and not visit_a.is_signed_by_shop
    assert (visit_a.shop_signer_name, visit_a.shop_signature.name) == ("", "")
    html = client.get(reverse("patrols:visit_record", args=[visit_a.pk])).content.decode()
    assert "拒绝签字" in html and "负责人不在店" in html


def test_only_the_team_signs_and_only_while_the_record_can_be_changed(
    client, inspector_a, head_a, district_officer_a, visit_a, patrol_a
):
    client.force_login(head_a)  # sees the record, is not on the team
    assert client.get(reverse("patrols:visit_record", args=[visit_a.pk])).status_code == 200
    assert sign(client, visit_a).status_code == 403
    client.force_login(district_officer_a)
    assert sign(client, visit_a).status_code == 403
    services.patrol_submit(user=inspector_a, patrol=patrol_a)
    client.force_login(inspector_a)
    submitted = sign(client, visit_a)
    assert submitted.status_code == 400 and "不能再修改" in submitted.content.decode()
    assert Visit.objects.get(pk=visit_a.pk).shop_signed_at is None


def test_an_inspector_of_another_community_cannot_see_or_sign_a_record_by_guessing_its_id(
    client, inspector_b, visit_a
):
    client.force_login(inspector_b)
    for name in ("patrols:visit_record", "patrols:visit_record_pdf"):
        assert client.get(reverse(name, args=[visit_a.pk])).status_code == 404
    assert sign(client, visit_a).status_code == 404
    assert (
        client.post(reverse("patrols:visit_refuse", args=[visit_a.pk]), {"reason": "不签"}).status_code == 404
    )
    visit_a.refresh_from_db()
    assert not visit_a.is_signed_by_shop and not visit_a.is_refused_by_shop


def test_the_database_refuses_a_record_both_signed_and_refused(visit_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit_a.pk).update(shop_refused_at=timezone.now(), shop_refusal_reason="")


# The PDF and the shop's page


def test_the_record_prints_as_a_chinese_pdf(client, inspector_a, visit_a, tmp_path):
    client.force_login(inspector_a)
    sign(client, visit_a)
    response = client.get(reverse("patrols:visit_record_pdf", args=[visit_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert content.startswith(b"%PDF")
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for words in ("现场巡查记录", "张记面馆", "冰柜温度过高", "张老板", "巡查员证号"):
        assert words in text
    assert (
        "filename*=UTF-8''%E7%8E%B0%E5%9C%BA%E5%B7%A1%E6%9F%A5%E8%AE%B0%E5%BD%95"
        in response["Content-Disposition"]
    )


def test_the_shop_reaches_its_record_from_its_public_page_without_anything_about_reporters(
    client, inspector_a, visit_a, shop_a, shop_b
):
    lead_services.lead_report(
        community=shop_a.community,
        establishment=shop_a,
        description="后厨老鼠很多",
        source=LeadSource.PUBLIC,
        reporter_name="李举报",
        reporter_phone="13900001111",
    )
    client.force_login(inspector_a)
    sign(client, visit_a)
    client.logout()
    shop_page = client.get(reverse("patrols:public_establishment", args=[public_token(shop_a)]))
    record_url = reverse(
        "patrols:public_visit_record", args=[public_token(shop_a), public_record_token(visit_a)]
    )
    assert record_url in shop_page.content.decode()
    record = client.get(record_url)
    html = record.content.decode()
    assert record.status_code == 200 and "张老板" in html and "冰柜温度过高" in html
    for secret in ("李举报", "13900001111", "后厨老鼠很多"):
        assert secret not in html
    pdf = client.get(record_url + "record.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    # Another shop's page, a made-up token, or the visit's id instead: nothing.
    for url in (
        reverse("patrols:public_visit_record", args=[public_token(shop_b), public_record_token(visit_a)]),
        reverse(
            "patrols:public_visit_record", args=[public_token(shop_a), f"{visit_a.client_id.hex}:forged"]
        ),
        reverse("patrols:public_visit_record", args=[public_token(shop_a), str(visit_a.pk)]),
    ):
        assert client.get(url).status_code == 404


def test_the_shop_reaches_its_record_for_the_days_set_then_no_longer(
    client, clock, settings, visit_a, shop_a
):
    settings.VISIT_RECORD_PUBLIC_DAYS = 30
    url = reverse("patrols:public_visit_record", args=[public_token(shop_a), public_record_token(visit_a)])
    shop_url = reverse("patrols:public_establishment", args=[public_token(shop_a)])
    clock.set(visit_a.visited_at + dt.timedelta(days=30))
    assert client.get(url).status_code == 200
    clock.set(visit_a.visited_at + dt.timedelta(days=32))
    assert client.get(url).status_code == 404
    assert url not in client.get(shop_url).content.decode()


def test_record_pdfs_from_one_network_are_limited_per_hour(client, monkeypatch, visit_a, shop_a):
    """A PDF costs the server a second of rendering: the public may not ask for them without end."""
    monkeypatch.setattr(public, "PUBLIC_PDFS_PER_WINDOW", 1)
    url = reverse(
        "patrols:public_visit_record_pdf", args=[public_token(shop_a), public_record_token(visit_a)]
    )
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert "您所在网络下载过于频繁，请稍后再试。" in refused.text
    assert client.get(url, REMOTE_ADDR="10.0.0.9").status_code == 200


# Where a visit was saved


def visit_body(client_id=None, **more) -> dict:
    return {"client_id": str(client_id or uuid.uuid4()), "result": "compliant", "findings": "", **more}


def test_the_visit_form_keeps_the_position_the_phone_gave(client, inspector_a, patrol_a, shop_a):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    lat, lng, accuracy = NEAR
    response = client.post(url, visit_body(latitude=lat, longitude=lng, accuracy_m=accuracy))
    assert response.status_code == 302
    visit = Visit.objects.get(establishment=shop_a)
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (
        Decimal(lat),
        Decimal(lng),
        Decimal(accuracy),
    )


def test_a_visit_saved_without_a_position_is_saved_as_ever(client, inspector_a, patrol_a, shop_a):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    response = client.post(url, visit_body(latitude="", longitude="", accuracy_m=""))
    assert response.status_code == 302
    visit = Visit.objects.get(establishment=shop_a)
    assert (visit.latitude, visit.longitude, visit.accuracy_m) == (None, None, None)
    assert not visit.is_far_from_shop


@pytest.mark.parametrize(
    "position",
    [
        {"latitude": "91", "longitude": "120", "accuracy_m": "5"},
        {"latitude": "30", "longitude": "-180.5", "accuracy_m": "5"},
        {"latitude": "30", "longitude": "120", "accuracy_m": "100001"},
        {"latitude": "30", "longitude": "120", "accuracy_m": "-1"},
        {"latitude": "nan", "longitude": "120", "accuracy_m": "5"},
        {"latitude": "30", "longitude": "", "accuracy_m": "5"},
    ],
)
def test_a_position_out_of_range_or_in_part_is_refused(client, api, inspector_a, patrol_a, shop_a, position):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    assert client.post(url, visit_body(**position)).status_code == 400
    api.force_authenticate(inspector_a)
    body = {"patrol": str(patrol_a.client_id), "establishment": shop_a.pk, "result": "compliant"}
    body |= {k: v for k, v in position.items() if v != ""}
    assert api.post("/api/visits/", body, format="json").status_code == 400
    assert not Visit.objects.exists()


@pytest.mark.parametrize("parts", [("NaN", "120", "5"), ("30", "Infinity", "5"), ("30", "120", "1e6")])
def test_the_service_refuses_a_position_that_is_no_place(parts):
    with pytest.raises(ValidationError) as refused:
        services.Position.from_parts(*(Decimal(part) for part in parts))
    assert "position" in refused.value.message_dict


def test_the_database_refuses_a_position_out_of_range(visit_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.filter(pk=visit_a.pk).update(latitude=95, longitude=120, accuracy_m=5)


def test_one_degree_of_latitude_is_about_111_km():
    assert geo.distance_metres(30, 120, 31, 120) == pytest.approx(111_195, rel=1e-3)
    assert geo.distance_metres(30, 120, 30, 120) == 0


def test_a_visit_saved_far_from_the_shop_is_marked_for_the_reviewer(
    client, api, inspector_a, head_a, patrol_a, shop_a, community_a, settings
):
    settings.VISIT_FAR_FROM_SHOP_METRES = 500
    shop_a.latitude, shop_a.longitude = SHOP_AT
    shop_a.save()
    near_shop = EstablishmentFactory(
        community=community_a, name="翠苑超市", latitude=SHOP_AT[0], longitude=SHOP_AT[1]
    )
    api.force_authenticate(inspector_a)
    base = {"patrol": str(patrol_a.client_id), "result": "compliant"}
    far = api.post(
        "/api/visits/",
        base
        | {"establishment": shop_a.pk}
        | dict(zip(("latitude", "longitude", "accuracy_m"), FAR, strict=True)),
        format="json",
    )
    near = api.post(
        "/api/visits/",
        base
        | {"establishment": near_shop.pk}
        | dict(zip(("latitude", "longitude", "accuracy_m"), NEAR, strict=True)),
        format="json",
    )
    assert far.status_code == 201 and far.json()["far_from_shop"] is True
    assert near.status_code == 201 and near.json()["far_from_shop"] is False
    client.force_login(inspector_a)
    detail = client.get(reverse("patrols:patrol_detail", args=[patrol_a.pk])).content.decode()
    assert detail.count("data-far-from-shop") == 1 and "离商户登记位置较远" in detail
    services.patrol_submit(user=inspector_a, patrol=patrol_a)
    client.force_login(head_a)
    review = client.get(reverse("patrols:patrol_review")).content.decode()
    assert review.count("data-far-from-shop") == 1 and "张记面馆" in review


def test_far_means_beyond_the_threshold_and_the_reported_accuracy(settings, visit_a, shop_a):
    settings.VISIT_FAR_FROM_SHOP_METRES = 500
    shop_a.latitude, shop_a.longitude = SHOP_AT
    visit_a.establishment = shop_a
    # About 2 km away: far with a good fix, not far when the phone says it may be 2 km off.
    visit_a.latitude, visit_a.longitude = Decimal(FAR[0]), Decimal(FAR[1])
    visit_a.accuracy_m = Decimal("30")
    assert visit_a.is_far_from_shop
    visit_a.accuracy_m = Decimal("2000")
    assert not visit_a.is_far_from_shop
    shop_a.latitude = shop_a.longitude = None
    assert not visit_a.is_far_from_shop  # the shop's position unknown: nothing to compare


# The shop's position, set by the district office


def test_the_district_office_sets_a_shops_position_and_a_community_cannot(
    api, inspector_a, district_officer_a, shop_a
):
    url = f"/api/establishments/{shop_a.pk}/"
    api.force_authenticate(inspector_a)
    refused = api.patch(url, {"latitude": "30.259", "longitude": "120.13"}, format="json")
    assert refused.status_code == 400 and "只有区食品药品监督所可以设置此项" in str(refused.json())
    api.force_authenticate(district_officer_a)
    assert api.patch(url, {"latitude": "91", "longitude": "120.13"}, format="json").status_code == 400
    assert api.patch(url, {"latitude": "30.259"}, format="json").status_code == 400
    assert api.patch(url, {"latitude": "30.259", "longitude": "120.13"}, format="json").status_code == 200
    shop = Establishment.objects.get(pk=shop_a.pk)
    assert (shop.latitude, shop.longitude) == (Decimal("30.259"), Decimal("120.13"))


def test_the_establishment_page_has_the_position_fields_for_the_district_only(
    client, inspector_a, district_officer_a, shop_a
):
    url = reverse("patrols:establishment_edit", args=[shop_a.pk])
    client.force_login(inspector_a)
    assert client.get(url).context["form"].fields["latitude"].disabled
    client.force_login(district_officer_a)
    assert not client.get(url).context["form"].fields["latitude"].disabled
