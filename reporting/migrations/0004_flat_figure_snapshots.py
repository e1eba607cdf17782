"""Frozen report figures keyed as the figure catalogue (reporting.catalogue): flat keys.

Snapshots frozen before the catalogue nested the risk classes ("by_risk"), the finding
categories ("by_category") and a district's received reports ("communities"); they are
rewritten flat, with the rates the catalogue defines, so that every reader of a snapshot
(page, API, Excel, PDF, assessment) reads the same keys. The figures themselves are unchanged.
"""

from django.db import migrations


def _percent(part, whole):
    return round(100 * part / whole) if whole else None


def _flat(figures: dict) -> dict:
    figures = dict(figures)
    for risk, pair in (figures.pop("by_risk", None) or {}).items():
        figures.setdefault(f"due_{risk}", pair.get("due", 0))
        figures.setdefault(f"covered_{risk}", pair.get("covered", 0))
        figures.setdefault(f"coverage_rate_{risk}", _percent(pair.get("covered", 0), pair.get("due", 0)))
    for category, count in (figures.pop("by_category", None) or {}).items():
        figures.setdefault(f"findings_{category}", count)
    for key, count in (figures.pop("communities", None) or {}).items():
        if key != "on_time":
            figures.setdefault(f"communities_{key}", count)
    figures.setdefault("rectification_rate", _percent(figures.get("rectified", 0), figures.get("findings", 0)))
    for row in figures.get("rows") or []:
        if row.get("figures"):
            row["figures"] = _flat(row["figures"])
    return figures


def flatten(apps, schema_editor):
    MonthlyReport = apps.get_model("reporting", "MonthlyReport")
    for report in MonthlyReport.objects.exclude(figures={}).iterator():
        flat = _flat(report.figures)
        if flat != report.figures:
            MonthlyReport.objects.filter(pk=report.pk).update(figures=flat)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_bounded_dates_and_stored_time_range")]

    operations = [migrations.RunPython(flatten, migrations.RunPython.noop)]
