"""Excel import is all-or-nothing and names each bad row in Chinese (§3)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patrols.models import Establishment

pytestmark = pytest.mark.django_db

HEADER = ["名称", "地址", "许可证号", "社区编码", "类别", "风险等级", "红黑名单", "登记日期"]


def workbook(rows: list[list]) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("shops.xlsx", buffer.getvalue())


def post(client, upload):
    return client.post(reverse("patrols:establishment_import"), {"file": upload})


def test_import_creates_all_rows(client, district_officer_a, inspector_a):
    client.force_login(district_officer_a)  # who sets risk classes and lists (patrols.governance)
    response = post(
        client,
        workbook(
            [
                ["张记面馆", "文三路1号", "JY1001", "330101001", "餐饮服务", "A", "", "2025-01-02"],
                ["百姓大药房", "文三路2号", "YP2002", "翠苑社区", "药品零售", "B", "黑名单（警示）", None],
            ]
        ),
    )
    assert response.status_code == 302
    shops = {e.name: e for e in Establishment.objects.all()}
    assert set(shops) == {"张记面馆", "百姓大药房"}
    assert shops["张记面馆"].category == "food_service"
    assert shops["张记面馆"].registered_on == dt.date(2025, 1, 2)
    assert shops["张记面馆"].next_visit_due == dt.date(2025, 2, 2)  # risk class A: monthly
    assert shops["百姓大药房"].watch_list == "black"
    assert shops["百姓大药房"].community == inspector_a.org_unit


def test_import_with_one_bad_row_saves_nothing_and_names_the_row(client, inspector_a):
    client.force_login(inspector_a)
    response = post(
        client,
        workbook(
            [
                ["张记面馆", "文三路1号", "JY1001", "330101001", "餐饮服务", "", "", None],
                ["李记小吃", "文三路3号", "JY1003", "330101001", "火锅店", "", "", None],
                ["王记超市", "文三路5号", "SP1005", "330101001", "食品销售", "", "", None],
            ]
        ),
    )
    assert response.status_code == 400
    assert Establishment.objects.count() == 0
    text = response.text
    assert "没有导入任何数据" in text
    assert "第 3 行" in text
    assert "类别" in text and "火锅店" in text
    assert "第 2 行" not in text and "第 4 行" not in text


def test_import_refuses_rows_for_another_community(client, inspector_a, community_b):
    client.force_login(inspector_a)
    response = post(
        client,
        workbook([["越界商户", "文一路9号", "JY9009", community_b.code, "食品销售", "B", "", None]]),
    )
    assert response.status_code == 400
    assert "第 2 行" in response.text
    assert "不存在或不在您的管辖范围内" in response.text
    assert not Establishment.objects.exists()


def test_import_reports_duplicate_licence_and_bad_date(client, inspector_a):
    client.force_login(inspector_a)
    response = post(
        client,
        workbook(
            [
                ["甲店", "路1号", "JY7777", "330101001", "食品销售", "B", "", None],
                ["乙店", "路2号", "JY7777", "330101001", "食品销售", "B", "", None],
                ["丙店", "路3号", "JY8888", "330101001", "食品销售", "B", "", "去年"],
            ]
        ),
    )
    assert response.status_code == 400
    assert "第 3 行" in response.text and "许可证号" in response.text
    assert "第 4 行" in response.text and "去年" in response.text
    assert not Establishment.objects.exists()


def test_import_updates_by_licence_within_own_area(client, inspector_a, shop_a):
    client.force_login(inspector_a)
    response = post(
        client,
        workbook(
            [["张记面馆（新址）", "文三路100号", shop_a.licence_no, "330101001", "餐饮服务", "", "", None]]
        ),
    )
    assert response.status_code == 302
    shop_a.refresh_from_db()
    assert shop_a.address == "文三路100号"
    assert shop_a.risk_class == "B"  # a blank district column keeps what the register holds
    assert Establishment.objects.count() == 1


def test_import_rejects_a_file_that_is_not_a_workbook(client, inspector_a):
    client.force_login(inspector_a)
    response = post(client, SimpleUploadedFile("shops.xlsx", b"not a workbook"))
    assert response.status_code == 400
    assert "不是 Excel" in response.text


def test_import_reports_missing_columns(client, inspector_a):
    client.force_login(inspector_a)
    book = openpyxl.Workbook()
    book.active.append(["名称", "地址"])
    book.active.append(["甲店", "路1号"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = post(client, SimpleUploadedFile("shops.xlsx", buffer.getvalue()))
    assert response.status_code == 400
    assert "缺少列" in response.text and "社区编码" in response.text


def test_exported_workbook_imports_back_unchanged(client, inspector_a, shop_a):
    client.force_login(inspector_a)
    exported = client.get(reverse("patrols:establishment_export")).content
    response = post(client, SimpleUploadedFile("back.xlsx", exported))
    assert response.status_code == 302
    assert Establishment.objects.count() == 1
