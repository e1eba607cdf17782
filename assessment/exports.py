"""An assessment and a district's ranking as Excel and PDF (§9), in the bureau's fixed Chinese.

The workbooks use reporting.exports' SheetWriter, and the PDFs are rendered by
WeasyPrint in Noto Sans CJK SC exactly like the monthly summary (reporting/pdf.py).
"""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import Workbook
from weasyprint import HTML

from assessment.figures import reward_ledger
from assessment.models import Assessment, Method, Tier
from assessment.selectors import district_ranking
from orgs.models import OrgUnit
from patrols.reporters import reward_reporter
from reporting.exports import INT, TEXT, SheetWriter

NUMBER = "number"
ADVANCED_LABEL = "先进社区"
TIER_LABELS = {
    Tier.DISTRICT: "市考核区",
    Tier.COMMUNITY: "区考核社区",
    Tier.INSPECTOR: "社区考核巡查员",
    Tier.VOLUNTEER: "社区考核志愿者",
}
METHOD_LABELS = {
    Method.WORK_REPORT: "听取工作报告",
    Method.ON_SITE: "实地考核",
    Method.DOCUMENTS: "查阅资料",
    Method.OVERALL: "综合评议",
}


def _state(assessment: Assessment) -> str:
    if assessment.is_frozen:
        return f"已提交（{timezone.localtime(assessment.submitted_at):%Y-%m-%d %H:%M}）"
    return "考核中（暂定）"


def _title(assessment: Assessment) -> str:
    tier = TIER_LABELS[assessment.tier]
    return f"{assessment.year}年度食品药品安全进社区工作考核（{tier}）：{assessment.assessee_name}"


def _number(value):
    return float(value) if value is not None else None


def _sheet_rows(assessment: Assessment) -> list[list]:
    return [
        [
            index,
            item.title,
            METHOD_LABELS.get(item.method, item.method),
            _number(item.points),
            item.source or "",
            _number(item.score),
            "；".join(part for part in (item.note, item.evidence) if part),
        ]
        for index, item in enumerate(assessment.items.all(), start=1)
    ]


def assessment_workbook(*, assessment: Assessment, user) -> bytes:
    """考核表 (items, figures, scores, total), 抽查巡查员 (the sample and its seed), 奖励台账."""
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook.create_sheet("考核表"), [6, 20, 12, 8, 50, 8, 40])
    writer.title(_title(assessment))
    writer.note(f"考核单位：{assessment.assessor_unit.name} · 状态：{_state(assessment)}")
    kinds = [INT, TEXT, TEXT, NUMBER, TEXT, NUMBER, TEXT]
    writer.header(["序号", "考核项目", "考核方式", "分值", "记录数据", "得分", "说明及佐证"])
    for row in _sheet_rows(assessment):
        writer.row(row, kinds)
    points = sum(item.points for item in assessment.items.all())
    writer.row(
        ["", "合计", "", float(points), "", float(assessment.total), assessment.summary], kinds, bold=True
    )

    if assessment.needs_sample:
        checks = SheetWriter(workbook.create_sheet("抽查巡查员"), [16, 14, 8, 40, 14, 17])
        checks.title(f"{assessment.assessee_name} 巡查员抽查（不少于30%）")
        checks.note(f"随机种子：{assessment.sample_seed} · 抽样范围：{len(assessment.sample_pool)} 名巡查员")
        checks.header(["巡查员", "巡查员证号", "得分", "检查情况", "检查人", "检查时间"])
        for check in assessment.checks.select_related("inspector", "checked_by"):
            checks.row(
                [
                    str(check.inspector),
                    check.inspector.certificate_no,
                    _number(check.score),
                    check.note,
                    str(check.checked_by or ""),
                    f"{timezone.localtime(check.checked_at):%Y-%m-%d %H:%M}" if check.checked_at else "",
                ],
                [TEXT, TEXT, NUMBER, TEXT, TEXT, TEXT],
            )

    rewards = SheetWriter(workbook.create_sheet("奖励台账"), [17, 14, 16, 10, 17])
    rewards.title(f"{assessment.year}年 线索立案奖励台账：{assessment.assessee_name}")
    rewards.header(["登记时间", "社区", "举报人", "金额（元）", "发放时间"])
    for reward in reward_ledger(assessment, user):
        with translation.override("zh-hans"):  # 群众, 巡查员: the sheet's fixed Chinese
            reporter = reward_reporter(user, reward).name
        rewards.row(
            [
                f"{timezone.localtime(reward.credited_at):%Y-%m-%d %H:%M}",
                reward.lead.community.name,
                reporter,
                float(reward.amount),
                f"{timezone.localtime(reward.paid_at):%Y-%m-%d}" if reward.paid_at else "未发放",
            ],
            [TEXT, TEXT, TEXT, NUMBER, TEXT],
        )
    return _save(workbook)


def ranking_workbook(*, district: OrgUnit, year: int) -> bytes:
    rows = district_ranking(district, year)
    workbook = Workbook(write_only=True)
    writer = SheetWriter(workbook.create_sheet("社区排名"), [8, 18, 12, 10, 12])
    writer.title(f"{district.name} {year}年度社区食品药品安全工作考核排名")
    writer.note("说明：仅已提交的考核参与排名；未提交的社区列在最后。")
    writer.header(["名次", "社区", "编码", "总分", "评选"])
    for row in rows:
        writer.row(
            [
                row.rank,
                row.community.name,
                row.community.code,
                _number(row.total),
                ADVANCED_LABEL if row.advanced else ("" if row.assessment else "未提交"),
            ],
            [INT, TEXT, TEXT, NUMBER, TEXT],
        )
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def assessment_pdf(*, assessment: Assessment, user) -> bytes:
    with translation.override("zh-hans"):
        context = {
            "title": _title(assessment),
            "assessment": assessment,
            "state": _state(assessment),
            "rows": _sheet_rows(assessment),
            "points": sum(item.points for item in assessment.items.all()),
            "checks": list(assessment.checks.select_related("inspector", "checked_by")),
            "rewards": list(reward_ledger(assessment, user)),
            "viewer": user,
            "generated": timezone.localtime(),
        }
        html = render_to_string("assessment/assessment_pdf.html", context)
    return HTML(string=html).write_pdf()


def ranking_pdf(*, district: OrgUnit, year: int) -> bytes:
    with translation.override("zh-hans"):
        context = {
            "district": district,
            "year": year,
            "rows": district_ranking(district, year),
            "generated": timezone.localtime(),
        }
        html = render_to_string("assessment/ranking_pdf.html", context)
    return HTML(string=html).write_pdf()
