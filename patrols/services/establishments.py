"""Write operations on the establishment registry."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import openpyxl
import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orgs.models import User
from patrols import governance
from patrols.models import Establishment
from patrols.resources import REQUIRED_COLUMNS, EstablishmentResource


@transaction.atomic
def establishment_save(*, establishment: Establishment, user: User, reason: str = "") -> Establishment:
    """Validate, derive the visit deadline and save a new or changed establishment.

    1. The user may change only what patrols.governance lets them set; a change of a
       district field to a registered establishment needs a reason.
    2. The model's own checks, then the next-due date from the visits and the risk class.
    3. Who, when (simple-history) and why (history_change_reason) go into the audit history.
    """
    before = governance.recorded_values(establishment)
    errors = governance.refused_changes(user, before, establishment)
    reason = reason.strip()
    if not errors and not reason and governance.needs_reason(before, establishment):
        errors["change_reason"] = _("Say why the district's fields are changed.")
    if errors:
        raise ValidationError(errors)
    governance.stamp_watch_list(establishment, before["watch_list"], reason)
    establishment.full_clean()
    establishment.refresh_visit_due()
    establishment._history_user = user
    establishment._change_reason = reason[: governance.CHANGE_REASON_MAX_LENGTH] or None
    establishment.save()
    return establishment


@dataclass
class RowError:
    row: int  # the row number as Excel shows it (the header is row 1)
    message: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def establishment_import(*, user: User, content: bytes) -> ImportReport:
    """Import an .xlsx workbook of establishments: every row or none.

    1. Read the first sheet; a file that is not a workbook is one error.
    2. Check the required columns are there.
    3. Import all rows in one transaction; if any row fails validation, roll
       the whole transaction back and report every bad row.
    """
    try:
        dataset = _first_sheet(content)
    except Exception:  # tablib and openpyxl raise many types for a bad file
        return ImportReport(errors=[RowError(0, _("The file is not an Excel (.xlsx) workbook."))])

    missing = [column for column in REQUIRED_COLUMNS if column not in (dataset.headers or [])]
    if missing:
        message = _("Missing columns: %(columns)s.") % {"columns": "、".join(missing)}
        return ImportReport(errors=[RowError(1, message)])
    if not len(dataset):
        return ImportReport(errors=[RowError(2, _("The file has no rows to import."))])

    resource = EstablishmentResource(user=user)
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=False, raise_errors=False, use_transactions=True)
        errors = sorted(_row_errors(result, resource) + _repeated_licences(dataset), key=lambda e: e.row)
        if errors:
            transaction.set_rollback(True)
            return ImportReport(errors=errors)
    return ImportReport(created=result.totals["new"], updated=result.totals["update"])


def _first_sheet(content: bytes) -> tablib.Dataset:
    """The first sheet as typed. A formula is read as its text, which is stored as plain text, rather
    than as the value the spreadsheet computed (tablib reads with data_only=True)."""
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    rows = workbook.active.iter_rows(values_only=True)
    dataset = tablib.Dataset()
    headers = list(next(rows, None) or [])
    if headers:
        dataset.headers = headers
    for row in rows:
        values = [getattr(value, "text", value) for value in row[: len(headers)]]  # an array formula's text
        dataset.append(values + [""] * (len(headers) - len(values)))
    return dataset


def _row_errors(result, resource: EstablishmentResource) -> list[RowError]:
    columns = {f.attribute: f.column_name for f in resource.fields.values()}
    errors = [
        RowError(row.number + 1, _("unexpected error: %(error)s") % {"error": e.error})
        for row in result.error_rows
        for e in row.errors
    ]
    for row in result.invalid_rows:
        for attribute, messages in row.error_dict.items():
            label = columns.get(attribute, "")
            for message in messages:
                errors.append(RowError(row.number + 1, f"{label}：{message}" if label else message))
    errors.extend(RowError(0, str(e.error)) for e in result.base_errors)
    return errors


def _repeated_licences(dataset) -> list[RowError]:
    """A licence number given twice in one file is a mistake, not an update."""
    if "许可证号" not in dataset.headers:
        return []
    first_row: dict[str, int] = {}
    errors = []
    for row, value in enumerate(dataset["许可证号"], start=2):
        licence = str(value or "").strip()
        if not licence:
            continue
        if licence in first_row:
            message = _("%(column)s: %(licence)s is repeated from row %(row)d.") % {
                "column": "许可证号",
                "licence": licence,
                "row": first_row[licence],
            }
            errors.append(RowError(row, message))
        else:
            first_row[licence] = row
    return errors


def establishment_export(*, user: User, queryset) -> bytes:
    """The given establishments as an .xlsx workbook in the import layout."""
    dataset = EstablishmentResource(user=user).export(queryset.select_related("community"))
    return dataset.export("xlsx")
