"""The city-wide default checklist per category (district offices may keep their own)."""

from django.db import migrations

DEFAULTS = {
    "food_service": [
        "《食品经营许可证》在有效期内并悬挂在显著位置",
        "从业人员持有效健康证明，穿戴整洁工作衣帽",
        "餐饮服务食品安全量化分级公示牌悬挂",
        "原料进货查验记录、索证索票齐全",
        "无过期、变质、来源不明的食品原料",
        "生熟分开存放，冷藏冷冻温度符合要求",
        "餐用具清洗消毒设施正常使用",
        "防鼠、防蝇、防尘设施完好",
        "食品添加剂专人专柜管理并有使用记录",
        "餐厨垃圾密闭存放、及时清运",
    ],
    "food_retail": [
        "《食品经营许可证》在有效期内并悬挂在显著位置",
        "从业人员持有效健康证明",
        "进货查验记录、索证索票齐全",
        "无过期、变质、标签不全的食品",
        "散装食品标明名称、生产日期、保质期",
        "冷藏冷冻食品温度符合要求",
        "临近保质期食品集中陈列并显著提示",
    ],
    "pharmacy": [
        "《药品经营许可证》《营业执照》在有效期内并公示",
        "执业药师在岗并佩戴胸卡",
        "处方药凭处方销售，处方药与非处方药分区陈列",
        "无过期、失效药品",
        "药品购进、验收记录完整",
        "阴凉区温湿度符合要求并有记录",
        "含特殊药品复方制剂按规定登记销售",
    ],
    "health_food": [
        "经营许可证照齐全有效",
        "产品有保健食品批准文号（蓝帽子标志）",
        "标签说明书不含疾病预防、治疗功能宣传",
        "无虚假宣传、会议营销等违规行为",
        "进货查验记录齐全",
        "无过期产品",
    ],
    "cosmetics": [
        "营业执照在有效期内",
        "进货查验记录、供货者资质齐全",
        "特殊用途化妆品有批准文号",
        "标签标识完整，中文标签规范",
        "无过期、变质化妆品",
        "无夸大功效宣传",
    ],
    "medical_devices": [
        "《医疗器械经营许可证》或备案凭证有效",
        "产品有注册证或备案凭证",
        "进货查验记录完整",
        "储存条件符合说明书要求",
        "无过期、失效医疗器械",
        "无夸大宣传",
    ],
    "clinic": [
        "《医疗机构执业许可证》在有效期内",
        "药品、医疗器械购进渠道合法，有验收记录",
        "药品储存条件符合要求，无过期药品",
        "一次性使用无菌医疗器械使用后按规定销毁",
        "药品不良反应监测与报告制度落实",
    ],
    "school_canteen": [
        "《食品经营许可证》在有效期内",
        "从业人员持有效健康证明，晨检记录完整",
        "食品留样：每餐每样不少于125克，冷藏48小时并有记录",
        "原料进货查验、索证索票齐全",
        "餐用具清洗消毒记录完整",
        "陪餐制度落实并有记录",
        "无过期、变质食品原料",
        "防鼠、防蝇、防尘设施完好",
    ],
    "workplace_canteen": [
        "《食品经营许可证》在有效期内",
        "从业人员持有效健康证明",
        "食品留样制度落实",
        "原料进货查验记录齐全",
        "餐用具清洗消毒设施正常使用",
        "生熟分开存放",
        "无过期、变质食品原料",
    ],
    "small_workshop": [
        "已办理登记或备案并公示",
        "从业人员持有效健康证明",
        "加工场所清洁，远离污染源",
        "原料来源可追溯",
        "无使用非食用物质、超范围超限量使用添加剂",
        "售卖食品有防尘防蝇措施",
    ],
}


def add_defaults(apps, schema_editor):
    ChecklistTemplate = apps.get_model("patrols", "ChecklistTemplate")
    for category, items in DEFAULTS.items():
        ChecklistTemplate.objects.get_or_create(district=None, category=category, defaults={"items": items})


def remove_defaults(apps, schema_editor):
    apps.get_model("patrols", "ChecklistTemplate").objects.filter(district=None).delete()


class Migration(migrations.Migration):
    dependencies = [("patrols", "0002_finding_historicalchecklisttemplate_historicalpatrol_and_more")]

    operations = [migrations.RunPython(add_defaults, remove_defaults)]
