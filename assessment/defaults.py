"""The default criteria sheets (考核细则), one per tier, after seed 001 (七)(八)(九) and §6–§7.

A unit's sheet for a year is copied from these the first time it is used;
the assessing level then edits its own copy. The points of each sheet add up
to 100.
"""

from __future__ import annotations

from decimal import Decimal

from assessment.models import Method, Metric, Tier

TITLES = {
    Tier.DISTRICT: "食品药品安全进社区工作考核细则（市考核区）",
    Tier.COMMUNITY: "食品药品安全进社区工作考核细则（区考核社区）",
    Tier.INSPECTOR: "食品药品安全巡查员年度考核细则（社区考核巡查员）",
    Tier.VOLUNTEER: "食品药品安全志愿者年度考核细则（社区考核志愿者）",
}

# (title, standard, points, method, metric)
DEFAULT_ITEMS: dict[str, list[tuple[str, str, int, str, str]]] = {
    Tier.DISTRICT: [
        (
            "组织领导",
            "成立食品药品安全进社区工作领导小组，明确分管领导，指定1名信息联络员。",
            10,
            Method.DOCUMENTS,
            "",
        ),
        (
            "月报报送",
            "每月10日前将监督情况及各社区工作情况报市局，按时报送率。",
            15,
            Method.DOCUMENTS,
            Metric.REPORT_TIMELINESS,
        ),
        (
            "社区日常巡查",
            "辖区各社区巡查天数占当年天数的比例。",
            15,
            Method.DOCUMENTS,
            Metric.PATROL_DAY_RATE,
        ),
        (
            "“四品一械”巡查覆盖",
            "应巡查主体按风险等级巡查到位的比例。",
            15,
            Method.ON_SITE,
            Metric.COVERAGE_RATE,
        ),
        ("隐患整改", "巡查发现问题的整改销号比例（回头看）。", 10, Method.ON_SITE, Metric.RECTIFICATION_RATE),
        ("线索报送与查处", "辖区报送线索数量，核实立案情况。", 10, Method.DOCUMENTS, Metric.LEADS),
        (
            "宣传工作",
            "宣传栏专版每月更新、宣传标语每季更新的落实情况。",
            10,
            Method.DOCUMENTS,
            Metric.PUBLICITY,
        ),
        ("区考核社区", "按时组织对社区的年度考核，随机抽查不少于30%的巡查员。", 5, Method.WORK_REPORT, ""),
        ("年度工作报告", "听取区食品药品监督所年度工作报告。", 5, Method.WORK_REPORT, ""),
        ("综合评议", "工作创新、信息报送质量及群众满意度等综合评议。", 5, Method.OVERALL, ""),
    ],
    Tier.COMMUNITY: [
        (
            "巡查队伍建设",
            "巡查小组不少于2名持证巡查员，明确1名社区食品药品监管分管领导。",
            10,
            Method.DOCUMENTS,
            "",
        ),
        (
            "每日巡查",
            "巡查天数占当年天数的比例，巡查记录完整。",
            15,
            Method.DOCUMENTS,
            Metric.PATROL_DAY_RATE,
        ),
        (
            "“四品一械”巡查覆盖",
            "应巡查主体按风险等级巡查到位的比例。",
            15,
            Method.ON_SITE,
            Metric.COVERAGE_RATE,
        ),
        (
            "隐患整改",
            "发现问题督促整改并回头看，整改销号比例。",
            10,
            Method.ON_SITE,
            Metric.RECTIFICATION_RATE,
        ),
        (
            "月报报送",
            "每月5日前将上月工作情况报区食品药品监督所，按时报送率。",
            10,
            Method.DOCUMENTS,
            Metric.REPORT_TIMELINESS,
        ),
        ("线索报送", "发现违法违规线索及时报告，经核实立案的情况。", 10, Method.DOCUMENTS, Metric.LEADS),
        (
            "宣传工作",
            "宣传栏专版每月更新，宣传标语每季更新，宣传活动开展情况。",
            10,
            Method.ON_SITE,
            Metric.PUBLICITY,
        ),
        ("档案管理", "各项工作设档管理，巡查记录、月报、信息稿件齐全。", 5, Method.DOCUMENTS, ""),
        (
            "巡查员抽查",
            "随机抽查不少于30%的巡查员，按抽查得分折算。",
            5,
            Method.ON_SITE,
            Metric.SAMPLE_CHECKS,
        ),
        ("工作报告", "听取社区年度工作报告。", 5, Method.WORK_REPORT, ""),
        ("综合评议", "居民满意度、工作创新等综合评议。", 5, Method.OVERALL, ""),
    ],
    Tier.INSPECTOR: [
        (
            "巡查出勤",
            "参加巡查的天数占社区巡查天数的比例。",
            30,
            Method.DOCUMENTS,
            Metric.INSPECTOR_PATROL_DAYS,
        ),
        (
            "巡查户次",
            "参加巡查的检查户次占社区检查户次的比例。",
            20,
            Method.DOCUMENTS,
            Metric.INSPECTOR_VISITS,
        ),
        ("线索报送", "本人报送线索及核实立案情况。", 15, Method.DOCUMENTS, Metric.INSPECTOR_LEADS),
        ("巡查记录规范", "巡查记录填写规范、问题描述清楚、照片齐全。", 10, Method.DOCUMENTS, ""),
        ("宣传工作参与", "参与宣传资料发放、宣传活动情况。", 10, Method.ON_SITE, ""),
        ("持证上岗与纪律", "持巡查员证上岗，遵守工作纪律。", 5, Method.OVERALL, ""),
        ("综合评议", "社区负责人、分管领导及居民评议。", 10, Method.OVERALL, ""),
    ],
    # Seed 000 (六)(5), (七)(3) and seed 001 (八)(2), (十)(二): volunteers hand out the brochures door to
    # door, help with publicity and the patrols, pass on what they see, and attend the training.
    Tier.VOLUNTEER: [
        (
            "宣传工作参与",
            "参与宣传活动、宣传资料分发入户、宣传栏更新，每月至少1次（以系统记录为准）。",
            35,
            Method.DOCUMENTS,
            Metric.VOLUNTEER_PUBLICITY,
        ),
        ("协助巡查", "配合巡查员开展日常巡查、夜查及专项整治的情况。", 20, Method.ON_SITE, ""),
        ("线索反映", "发现食品药品安全问题及违法线索，及时向信息员或巡查员反映。", 15, Method.DOCUMENTS, ""),
        (
            "参加培训",
            "参加区、社区组织的集中培训和应急演练情况（以培训记录的参加人员为准）。",
            15,
            Method.DOCUMENTS,
            Metric.PERSON_TRAINING,
        ),
        ("综合评议", "社区负责人、分管领导及居民评议，服务态度与工作纪律。", 15, Method.OVERALL, ""),
    ],
}


def default_items(tier: str) -> list[dict]:
    return [
        {
            "position": index,
            "title": title,
            "standard": standard,
            "points": Decimal(points),
            "method": method,
            "metric": metric,
        }
        for index, (title, standard, points, method, metric) in enumerate(DEFAULT_ITEMS[tier], start=1)
    ]
