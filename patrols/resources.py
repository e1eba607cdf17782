"""Excel import and export of the establishment registry (django-import-export).

The column headers are the fixed Chinese headers of the registry workbook
(基本信息库), whatever the interface language, so that a file exported by one
user can be filled in and imported by another.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from config import bounds
from config.cells import cell_text, safe_cell
from orgs.models import OrgUnit
from patrols import governance
from patrols.models import (
    Category,
    Establishment,
    FoodGrade,
    ModelStatus,
    RiskClass,
    Status,
    WatchList,
)

# Columns that every import file must have.
REQUIRED_COLUMNS = ("名称", "地址", "社区编码", "类别")
# An optional column: why the rows change, kept in each establishment's history.
REASON_COLUMN = "变更原因"


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> str:
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a phone number typed into a numeric cell
        return cell_text(str(value).strip())

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class ChoiceWidget(widgets.Widget):
    """Reads a choice by its Chinese label, English label or code; writes the Chinese label."""

    def __init__(self, choices: type, *, required: bool = False, default: str | None = "") -> None:
        super().__init__()
        self.choices = choices
        self.required = required
        self.default = default

    def clean(self, value, row=None, **kwargs) -> str | None:
        text = TextWidget().clean(value)
        if not text:
            if self.required:
                raise ValueError(_("This value is required."))
            return self.default
        for choice in self.choices:
            with translation.override("zh-hans"):
                chinese = str(choice.label)
            with translation.override("en"):
                english = str(choice.label)
            if text in (choice.value, chinese, english) or text.upper() == choice.value:
                return choice.value
        allowed = "、".join(_labels_in_chinese(self.choices))
        raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})

    def render(self, value, obj=None, **kwargs) -> str:
        if not value:
            return ""
        with translation.override("zh-hans"):
            return str(self.choices(value).label)


def _labels_in_chinese(choices: type) -> list[str]:
    with translation.override("zh-hans"):
        return [str(choice.label) for choice in choices if choice.value]


class DateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> dt.date | None:
        """A cell as a day within the bounds (config.bounds); a clear error for anything else."""
        day = self._read(value)
        try:
            bounds.validate_day(day)
        except ValidationError as error:
            raise ValueError(error.messages[0]) from None
        return day

    def _read(self, value) -> dt.date | None:
        if value in (None, ""):
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (only the date is kept)
            except ValueError:
                continue
        raise ValueError(_("“%(value)s” is not a date; write it like 2025-03-15.") % {"value": text})

    def render(self, value, obj=None, **kwargs) -> str:
        return value.isoformat() if value else ""


class IntervalWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs) -> int | None:
        text = TextWidget().clean(value)
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(_("“%(value)s” is not a whole number of months.") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs) -> str:
        return "" if value is None else str(value)


class CommunityWidget(widgets.Widget):
    """A community, by code or by name, among those the importing user may see."""

    def __init__(self, communities) -> None:
        super().__init__()
        self.communities = communities

    def clean(self, value, row=None, **kwargs) -> OrgUnit:
        text = TextWidget().clean(value)
        if not text:
            raise ValueError(_("This value is required."))
        matches = [c for c in self._by_key if text in (c.code, c.name)]
        if len(matches) != 1:
            raise ValueError(
                _("Community “%(value)s” does not exist or is outside your area.") % {"value": text}
            )
        return matches[0]

    @property
    def _by_key(self) -> list[OrgUnit]:
        if not hasattr(self, "_cache"):
            self._cache = list(self.communities)
        return self._cache

    def render(self, value, obj=None, **kwargs) -> str:
        return value.code if value else ""


def _text(attribute: str, column: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column, widget=TextWidget())


def _choice(
    attribute: str, column: str, choices: type, *, required: bool = False, default: str | None = ""
) -> fields.Field:
    """default None: a blank cell leaves the value as it is (a new row gets the model's default)."""
    widget = ChoiceWidget(choices, required=required, default=default)
    return fields.Field(
        attribute=attribute, column_name=column, widget=widget, saves_null_values=default is not None
    )


def _date(attribute: str, column: str, *, keep_when_blank: bool = False) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=column, widget=DateWidget(), saves_null_values=not keep_when_blank
    )


class EstablishmentResource(resources.ModelResource):
    """Rows keyed by licence number: a known licence in the user's area updates,
    anything else creates a new establishment."""

    name = _text("name", "名称")
    address = _text("address", "地址")
    licence_no = _text("licence_no", "许可证号")
    legal_representative = _text("legal_representative", "法定代表人")
    phone = _text("phone", "联系电话")
    community_name = fields.Field(attribute="community__name", column_name="社区", readonly=True)
    category = _choice("category", "类别", Category, required=True)
    status = _choice("status", "状态", Status, default=Status.OPEN)
    # The district's fields (patrols.governance): a blank cell keeps what the register holds, and a
    # value the importing user may not set is a row error; the last visit follows from visits only.
    risk_class = _choice("risk_class", "风险等级", RiskClass, default=None)
    tightened_interval_months = fields.Field(
        attribute="tightened_interval_months", column_name="收紧巡查周期(月)", widget=IntervalWidget()
    )
    watch_list = _choice("watch_list", "红黑名单", WatchList, default=None)
    food_grade = _choice("food_grade", "量化分级", FoodGrade, default=None)
    food_graded_on = _date("food_graded_on", "定级日期", keep_when_blank=True)
    model_status = _choice("model_status", "示范创建", ModelStatus, default=None)
    registered_on = _date("registered_on", "登记日期", keep_when_blank=True)
    last_visited_on = fields.Field(
        attribute="last_visited_on", column_name="最近巡查日期", widget=DateWidget(), readonly=True
    )
    next_visit_due = fields.Field(
        attribute="next_visit_due", column_name="应巡查日期", widget=DateWidget(), readonly=True
    )

    class Meta:
        model = Establishment
        fields = (
            "licence_no",
            "name",
            "address",
            "legal_representative",
            "phone",
            "community",
            "community_name",
            "category",
            "status",
            "risk_class",
            "tightened_interval_months",
            "watch_list",
            "food_grade",
            "food_graded_on",
            "model_status",
            "registered_on",
            "last_visited_on",
            "next_visit_due",
        )
        import_id_fields = ("licence_no",)
        clean_model_instances = True
        skip_diff = True
        use_transactions = True

    def __init__(self, *, user) -> None:
        super().__init__()
        self.user = user
        communities = OrgUnit.objects.visible_to(user).communities().only("pk", "code", "name")
        self.fields["community"] = fields.Field(
            attribute="community", column_name="社区编码", widget=CommunityWidget(communities)
        )

    def get_queryset(self):
        return Establishment.objects.visible_to(self.user)

    def export_field(self, field, instance, **kwargs):
        """Every exported value passes here: user text is never written as a formula."""
        return safe_cell(super().export_field(field, instance, **kwargs))

    def get_instance(self, instance_loader, row):
        licence = TextWidget().clean(row.get("许可证号"))
        if not licence:
            return None
        return self.get_queryset().filter(licence_no=licence).first()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True) -> None:
        """The model's checks, and patrols.governance: what the importing user may not set is a row error."""
        errors = dict(import_validation_errors or {})
        before = governance.recorded_values(instance)
        instance._recorded_watch_list = before["watch_list"]
        for field, message in governance.refused_changes(self.user, before, instance).items():
            errors.setdefault(field, ValidationError(message))
        super().validate_instance(instance, errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs) -> None:
        instance.refresh_visit_due()
        instance._history_user = self.user
        reason = TextWidget().clean(row.get(REASON_COLUMN)) or _("Imported from Excel")
        instance._change_reason = reason[: governance.CHANGE_REASON_MAX_LENGTH]
        # The list as the register held it, read once by validate_instance.
        governance.stamp_watch_list(instance, instance._recorded_watch_list, str(reason))
