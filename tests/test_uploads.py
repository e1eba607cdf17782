"""Uploaded photos (patrol visits and publicity): checked by content, limited, re-encoded, served by scope."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from patrols import photos
from patrols.models import Photo, Visit, VisitResult
from patrols.services import records as services
from publicity.models import Activity, BoardUpdate
from tests.security_world import jpeg_upload

NOT_A_PHOTO = "该文件不是照片（仅支持 JPEG、PNG、WebP）。"
TOO_BIG = "照片超过 10 MB。"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def patrol_a(inspector_a, partner_a):
    return services.patrol_start(user=inspector_a, team=[partner_a])[0]


@pytest.fixture
def visit_a(inspector_a, patrol_a, shop_a):
    return services.visit_record(
        user=inspector_a, patrol=patrol_a, establishment=shop_a, result=VisitResult.COMPLIANT
    )[0]


def fake_jpeg() -> SimpleUploadedFile:
    """A script dressed as a photo: .jpg name, image/jpeg type, a JPEG's first bytes."""
    return SimpleUploadedFile(
        "IMG_0001.jpg", b"\xff\xd8\xff\xe0<script>alert(1)</script>", content_type="image/jpeg"
    )


def exif_with_gps_and_owner() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Artist] = "张三 13800000000"
    exif[ExifTags.Base.DateTime] = "2026:11:20 09:15:00"
    return exif.tobytes()


def test_a_fake_photo_is_refused_on_the_visit_form_with_a_chinese_message(
    client, inspector_a, patrol_a, shop_a
):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    page = client.post(url, {"client_id": str(uuid.uuid4()), "result": "compliant", "photos": fake_jpeg()})
    assert page.status_code == 400
    assert NOT_A_PHOTO in page.text
    assert not Visit.objects.exists() and not Photo.objects.exists()


def test_a_fake_photo_is_refused_by_the_api(api, inspector_a, visit_a):
    api.force_authenticate(inspector_a)
    response = api.post("/api/photos/", {"visit": str(visit_a.client_id), "image": fake_jpeg()})
    assert response.status_code == 400
    assert "image" in response.json()
    assert not Photo.objects.exists()


def test_a_photo_too_big_is_refused(inspector_a, visit_a, monkeypatch):
    from django.core.exceptions import ValidationError

    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 1000)
    big = jpeg_upload(size=(400, 400))
    assert big.size > 1000
    with pytest.raises(ValidationError) as refused:
        services.photo_add(user=inspector_a, visit=visit_a, upload=big)
    assert refused.value.message_dict["image"] == ["The photo is larger than 10 MB."] or TOO_BIG in str(
        refused.value
    )
    assert not Photo.objects.exists()


def test_a_photo_too_big_is_refused_on_the_page_in_chinese(
    client, inspector_a, patrol_a, shop_a, monkeypatch
):
    monkeypatch.setattr(photos, "PHOTO_MAX_BYTES", 1000)
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    page = client.post(
        url, {"client_id": str(uuid.uuid4()), "result": "compliant", "photos": jpeg_upload(size=(400, 400))}
    )
    assert page.status_code == 400 and TOO_BIG in page.text
    assert not Visit.objects.exists()


def test_a_visit_takes_at_most_nine_photos(client, inspector_a, patrol_a, shop_a):
    client.force_login(inspector_a)
    url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    uploads = [jpeg_upload(f"p{i}.jpg") for i in range(services.MAX_PHOTOS_PER_VISIT + 1)]
    page = client.post(url, {"client_id": str(uuid.uuid4()), "result": "compliant", "photos": uploads})
    assert page.status_code == 400
    assert "每次巡查最多上传 9 张照片。" in page.text
    # All or nothing: the visit is not kept with nine of its ten photos.
    assert not Visit.objects.exists() and not Photo.objects.exists()


def test_a_stored_photo_is_reencoded_without_its_metadata(inspector_a, visit_a):
    upload = jpeg_upload("IMG_20261120.jpg", size=(3000, 2000), exif=exif_with_gps_and_owner())
    photo, _created = services.photo_add(user=inspector_a, visit=visit_a, upload=upload)
    with photo.image.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.format == "JPEG"
        assert max(image.size) == photos.PHOTO_MAX_SIDE
        assert not image.getexif()
    assert "IMG_20261120" not in photo.image.name
    # The time the phone recorded is kept on the record, not in the file.
    assert photo.taken_at is not None


def test_media_is_not_served_by_a_static_route(client, inspector_a, visit_a):
    photo, _created = services.photo_add(user=inspector_a, visit=visit_a, upload=jpeg_upload())
    client.force_login(inspector_a)
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    assert client.get(reverse("patrols:photo_file", args=[photo.pk])).status_code == 200


def test_pages_and_json_go_compressed_to_a_phone_that_asks_and_photos_as_they_are(
    client, api, inspector_a, patrol_a, shop_a, visit_a
):
    """A phone on a slow line gets the visit form gzipped (config.middleware.PageGZipMiddleware);
    a JPEG, compressed already, is sent as stored."""
    client.force_login(inspector_a)
    form_url = reverse("patrols:visit_create", args=[patrol_a.pk, shop_a.pk])
    plain = client.get(form_url)
    zipped = client.get(form_url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    page = gzip.decompress(zipped.content).decode()
    assert shop_a.name in page and 'name="result"' in page
    assert len(zipped.content) < len(plain.content) / 3

    api.force_authenticate(inspector_a)
    registry = api.get("/api/establishments/", HTTP_ACCEPT_ENCODING="gzip")
    assert registry["Content-Encoding"] == "gzip"
    assert shop_a.name in gzip.decompress(registry.content).decode()

    photo, _created = services.photo_add(user=inspector_a, visit=visit_a, upload=jpeg_upload())
    served = client.get(reverse("patrols:photo_file", args=[photo.pk]), HTTP_ACCEPT_ENCODING="gzip")
    assert served.status_code == 200 and "Content-Encoding" not in served
    assert b"".join(served.streaming_content).startswith(b"\xff\xd8")


def test_another_communitys_user_cannot_fetch_a_visit_photo(client, inspector_a, inspector_b, visit_a):
    photo, _created = services.photo_add(user=inspector_a, visit=visit_a, upload=jpeg_upload())
    url = reverse("patrols:photo_file", args=[photo.pk])
    client.force_login(inspector_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(inspector_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"


# Publicity photos go through the same check


def test_a_fake_photo_is_refused_on_the_publicity_form(client, inspector_a):
    client.force_login(inspector_a)
    page = client.post(
        reverse("publicity:record_new", args=["board"]),
        {"kind": "bulletin", "date": "2026-01-05", "summary": "专栏更新", "photo": fake_jpeg()},
    )
    assert page.status_code == 200
    assert page.context["form"].errors["photo"]
    assert not BoardUpdate.objects.exists()


def test_a_fake_photo_that_passes_the_form_is_refused_by_the_service_in_chinese(inspector_a):
    """A file Pillow opens but we do not accept (a GIF) is refused by read_photo, on the photo field."""
    from django.core.exceptions import ValidationError

    from publicity.services import publicity_record_add

    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    gif = SimpleUploadedFile("board.jpg", buffer.getvalue(), content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        publicity_record_add(
            user=inspector_a,
            record=BoardUpdate(kind="bulletin", date=dt.date(2026, 1, 5), summary="专栏"),
            photo=gif,
        )
    assert list(refused.value.message_dict) == ["photo"]
    assert not BoardUpdate.objects.exists()


def test_publicity_photos_are_reencoded_and_served_by_scope(
    client, inspector_a, inspector_b, district_officer_c
):
    from publicity.services import publicity_record_add

    upload = jpeg_upload("IMG_9.jpg", exif=exif_with_gps_and_owner())
    activity = publicity_record_add(
        user=inspector_a,
        record=Activity(title="宣传", date=dt.date(2026, 1, 5), place="广场", attendance=10),
        photo=upload,
    )
    with activity.photo.open("rb") as stored:
        assert not Image.open(io.BytesIO(stored.read())).getexif()
    url = reverse("publicity:photo", args=["activity", activity.pk])
    for outsider in (inspector_b, district_officer_c):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(inspector_a)
    assert client.get(url).status_code == 200
    assert client.get(f"/media/{activity.photo.name}").status_code == 404


def test_a_publicity_photo_missing_from_storage_is_a_404_not_an_error(client, inspector_a):
    from publicity.services import publicity_record_add

    activity = publicity_record_add(
        user=inspector_a,
        record=Activity(title="宣传", date=dt.date(2026, 1, 5), place="广场", attendance=10),
        photo=jpeg_upload(),
    )
    activity.photo.storage.delete(activity.photo.name)
    client.force_login(inspector_a)
    assert client.get(reverse("publicity:photo", args=["activity", activity.pk])).status_code == 404
