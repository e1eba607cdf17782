"""Pictures and a short video on activity articles (文字、图片、视频): checked by content, served by scope."""

from __future__ import annotations

import datetime as dt
import struct
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from reporting.models import ARTICLE_PICTURES_MAX, Article, ArticleMedia, MediaKind
from reporting.services import article_forward, article_media_add, article_submit
from reporting.videos import VIDEO_MAX_BYTES
from tests.factories import UserFactory
from tests.security_world import jpeg_upload

pytestmark = pytest.mark.django_db

NOT_A_PHOTO = "该文件不是照片（仅支持 JPEG、PNG、WebP）。"
VIDEO_TOO_BIG = "视频超过 20 MB。"
NOT_A_VIDEO = "该文件不是视频（仅支持 MP4 或 WebM）。"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mp4_bytes(padding: int = 0, seconds: int = 30) -> bytes:
    """An MP4's boxes: ftyp with an MP4 brand, moov with its movie header, an mdat as big as asked."""
    mvhd = struct.pack(">4xIIII", 0, 0, 1000, seconds * 1000) + bytes(80)
    return (
        box(b"ftyp", b"isom\x00\x00\x02\x00isomavc1")
        + box(b"moov", box(b"mvhd", mvhd))
        + box(b"mdat", bytes(padding))
    )


def mp4_upload(padding: int = 0, name: str = "clip.mp4", seconds: int = 30) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, mp4_bytes(padding, seconds), content_type="video/mp4")


def ebml(element: bytes, payload: bytes) -> bytes:
    return element + bytes([0x80 | len(payload)]) + payload


def webm_upload(seconds: float = 30) -> SimpleUploadedFile:
    """An EBML header saying webm, then a Segment of unknown size (as recorders write) with its Info."""
    header = ebml(b"\x1a\x45\xdf\xa3", b"\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm\x42\x87\x81\x04")
    info = ebml(
        b"\x15\x49\xa9\x66",
        ebml(b"\x2a\xd7\xb1", b"\x0f\x42\x40") + ebml(b"\x44\x89", struct.pack(">d", seconds * 1000)),
    )
    segment = (
        b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + info + ebml(b"\x1f\x43\xb6\x75", bytes(100))
    )
    return SimpleUploadedFile("clip.webm", header + segment, content_type="video/webm")


def text_as_jpeg() -> SimpleUploadedFile:
    return SimpleUploadedFile("活动照片.jpg", "今天的宣传活动很成功。".encode(), content_type="image/jpeg")


@pytest.fixture
def article_a(info_officer_a):
    return article_submit(
        user=info_officer_a,
        title="翠苑社区食品安全宣传周",
        activity_ended_on=_yesterday(),
        body="发放宣传册500份。",
    )


def _yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def new_article(client, **files):
    fields = {
        "title": "药品安全知识讲座",
        "activity_ended_on": f"{_yesterday():%Y-%m-%d}",
        "body": "居民80人参加。",
    }
    return client.post(reverse("reporting:article_new"), {**fields, **files})


def test_an_article_is_filed_with_pictures_and_a_video_and_shows_them(client, info_officer_a, media_root):
    client.force_login(info_officer_a)
    exif = Image.Exif()
    exif[0x013B] = "张三 13800000000"  # Artist: a name and phone the re-encoding must not keep
    response = new_article(
        client, pictures=[jpeg_upload("a.jpg", exif=exif.tobytes()), jpeg_upload("b.png")], video=mp4_upload()
    )
    article = Article.objects.get()
    assert response.status_code == 302
    pictures = list(article.media.filter(kind=MediaKind.PICTURE))
    video = article.media.get(kind=MediaKind.VIDEO)
    assert len(pictures) == 2 and video.content_type == "video/mp4"
    assert all(item.file.name.endswith(".jpg") for item in pictures) and video.file.name.endswith(".mp4")
    with Image.open(pictures[0].file.path) as stored:
        assert stored.format == "JPEG" and "13800000000" not in str(dict(stored.getexif()))

    page = client.get(reverse("reporting:article", args=[article.pk]))
    for item in [*pictures, video]:
        assert reverse("reporting:article_media_file", args=[item.pk]) in page.text
    served = client.get(reverse("reporting:article_media_file", args=[video.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "video/mp4"
    assert served["Cache-Control"] == "private, max-age=3600"
    assert b"".join(served.streaming_content) == mp4_bytes()


def test_a_text_file_named_jpg_is_refused_with_a_chinese_message(client, info_officer_a):
    client.force_login(info_officer_a)
    response = new_article(client, pictures=[jpeg_upload(), text_as_jpeg()])
    assert response.status_code == 200
    assert NOT_A_PHOTO in response.text
    assert not Article.objects.exists() and not ArticleMedia.objects.exists()


def test_a_picture_is_added_on_the_article_page_and_a_fake_one_refused(client, info_officer_a, article_a):
    client.force_login(info_officer_a)
    url = reverse("reporting:article_media_add", args=[article_a.pk])
    assert client.post(url, {"pictures": [jpeg_upload()]}).status_code == 302
    refused = client.post(url, {"pictures": [text_as_jpeg()]})
    assert refused.status_code == 400 and NOT_A_PHOTO in refused.text
    assert article_a.media.count() == 1


def test_an_oversized_video_is_refused_and_nothing_is_saved(client, info_officer_a, media_root):
    client.force_login(info_officer_a)
    response = new_article(client, pictures=[jpeg_upload()], video=mp4_upload(padding=VIDEO_MAX_BYTES))
    assert response.status_code == 200
    assert VIDEO_TOO_BIG in response.text
    assert not Article.objects.exists() and not ArticleMedia.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*")) if media_root.exists() else True


def test_a_renamed_file_is_not_a_video(info_officer_a, article_a):
    from django.core.exceptions import ValidationError

    fake = SimpleUploadedFile("clip.mp4", b"MZ\x90\x00" + bytes(500), content_type="video/mp4")
    with pytest.raises(ValidationError) as error:
        article_media_add(user=info_officer_a, article=article_a, video=fake)
    assert NOT_A_VIDEO in str(error.value)
    # An MP4's first box, then a text: the boxes do not run to the end of the file.
    dressed = box(b"ftyp", b"isom\x00\x00\x02\x00isom") + "活动视频说明文字".encode()
    with pytest.raises(ValidationError):
        article_media_add(user=info_officer_a, article=article_a, video=SimpleUploadedFile("v.mp4", dressed))
    # A WebM is a video; a second video is refused until the first is removed.
    article_media_add(user=info_officer_a, article=article_a, video=webm_upload())
    with pytest.raises(ValidationError):
        article_media_add(user=info_officer_a, article=article_a, video=mp4_upload())
    assert article_a.media.get().content_type == "video/webm"


@pytest.mark.parametrize("upload", [lambda: mp4_upload(seconds=181), lambda: webm_upload(seconds=181.5)])
def test_a_video_longer_than_three_minutes_is_refused(info_officer_a, article_a, upload):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        article_media_add(user=info_officer_a, article=article_a, video=upload())
    assert "视频超过 3 分钟。" in str(error.value)
    article_media_add(user=info_officer_a, article=article_a, video=mp4_upload(seconds=180))
    assert article_a.media.get().content_type == "video/mp4"


def test_no_more_than_nine_pictures(info_officer_a, article_a):
    from django.core.exceptions import ValidationError

    article_media_add(
        user=info_officer_a, article=article_a, pictures=[jpeg_upload() for _ in range(ARTICLE_PICTURES_MAX)]
    )
    with pytest.raises(ValidationError):
        article_media_add(user=info_officer_a, article=article_a, pictures=[jpeg_upload()])
    assert article_a.media.count() == ARTICLE_PICTURES_MAX


def test_another_community_gets_404_on_a_media_url(client, info_officer_a, article_a, community_b):
    (picture,) = article_media_add(user=info_officer_a, article=article_a, pictures=[jpeg_upload()])
    outsider = UserFactory(username="info_b", role="info_officer", org_unit=community_b, certificate_no="")
    client.force_login(outsider)
    assert client.get(reverse("reporting:article_media_file", args=[picture.pk])).status_code == 404
    remove = client.post(reverse("reporting:article_media_remove", args=[picture.pk]))
    assert remove.status_code == 404
    assert client.post(reverse("reporting:article_media_add", args=[article_a.pk]), {}).status_code == 404
    assert ArticleMedia.objects.filter(pk=picture.pk).exists()


def test_the_district_sees_the_media_and_a_forwarded_article_keeps_them(
    client, info_officer_a, district_officer_a, article_a
):
    (picture,) = article_media_add(user=info_officer_a, article=article_a, pictures=[jpeg_upload()])
    client.force_login(district_officer_a)
    assert client.get(reverse("reporting:article_media_file", args=[picture.pk])).status_code == 200
    article_forward(user=district_officer_a, article=article_a)
    client.force_login(info_officer_a)
    page = client.get(reverse("reporting:article", args=[article_a.pk]))
    assert reverse("reporting:article_media_remove", args=[picture.pk]) not in page.text
    assert client.post(reverse("reporting:article_media_remove", args=[picture.pk])).status_code == 403
    added = client.post(
        reverse("reporting:article_media_add", args=[article_a.pk]), {"pictures": [jpeg_upload()]}
    )
    assert added.status_code == 403
    assert list(article_a.media.all()) == [picture]


def test_pictures_are_added_over_the_api(api, info_officer_a, article_a):
    api.force_authenticate(info_officer_a)
    url = f"/api/articles/{article_a.pk}/media/"
    response = api.post(
        url, {"pictures": [jpeg_upload(), jpeg_upload()], "video": mp4_upload()}, format="multipart"
    )
    assert response.status_code == 201
    assert sorted(item["kind"] for item in response.json()["media"]) == ["picture", "picture", "video"]
    refused = api.post(url, {"pictures": [text_as_jpeg()]}, format="multipart")
    assert refused.status_code == 400 and NOT_A_PHOTO in str(refused.json())
    assert article_a.media.count() == 3


def test_the_api_hides_another_communitys_article(api, article_a, community_b):
    outsider = UserFactory(username="info_b", role="info_officer", org_unit=community_b, certificate_no="")
    api.force_authenticate(outsider)
    response = api.post(
        f"/api/articles/{article_a.pk}/media/", {"pictures": [jpeg_upload()]}, format="multipart"
    )
    assert response.status_code == 404
    assert not ArticleMedia.objects.exists()


def test_a_picture_removed_by_the_author_leaves_no_file(
    client, info_officer_a, article_a, django_capture_on_commit_callbacks
):
    (picture,) = article_media_add(user=info_officer_a, article=article_a, pictures=[jpeg_upload()])
    path = picture.file.path
    client.force_login(info_officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:article_media_remove", args=[picture.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:article", args=[article_a.pk])
    assert not ArticleMedia.objects.exists()
    assert not Path(path).exists()
