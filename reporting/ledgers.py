"""Ledgers (台账, item 7 of issue #22): the Excel files a district files and is checked against.

A ledger lists one row per record of a unit and the units below it, dated in a period, that the
user may see. Each is a `Ledger` in `LEDGERS`: its columns (lazy labels) and a `rows` function
`rows(user, unit, first_day, last_day)` that yields plain values with a fixed number of queries,
however many records there are. Adding a ledger is one line in `LEDGERS`.

Records are dated as the monthly figures date them (reporting.figures), so a ledger of a month
lists exactly what the month's figure counts: a finding by its patrol record's date (counted
records only), a lead when reported, an incident when it happened.

`write_ledger` streams a ledger into a write-only workbook with the monthly workbook's styles
(reporting.exports.SheetWriter): memory does not grow with the rows. Headers and the words in the
rows are the bureau's Chinese, whatever the interface language, like every workbook the product
writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook

from orgs.models import OrgUnit, User
from patrols.ledgers import RAPID_TEST_LEDGER_COLUMNS, RAPID_TEST_LEDGER_LABEL, rapid_test_ledger_rows
from patrols.models import (
    Finding,
    FindingKind,
    Incident,
    IncidentReport,
    Lead,
    LeadEvent,
    RectificationEvidence,
    RectificationStep,
    counted_q,
)
from patrols.reporters import event_actor, lead_reporter
from publicity.ledgers import TRAINING_LEDGER_COLUMNS, training_ledger_rows
from reporting.exports import TEXT, SheetWriter
from reporting.periods import end_of_day, local_zone

# Rows fetched from the database at a time: the memory a ledger needs does not grow with it.
CHUNK_SIZE = 500
# The longest period one ledger covers, in years: a longer one is several files.
MAX_YEARS = 3

Row = Sequence[str | int | Decimal | dt.date | dt.datetime | None]


@dataclass(frozen=True)
class Ledger:
    key: str  # "rapid_tests"
    label: Promise  # _("Rapid-test ledger")
    columns: tuple[Promise, ...]  # header labels, in order
    # rows(user, unit, first_day, last_day): one row per record of `unit` (and the units below it)
    # dated first_day..last_day inclusive, ONLY records the user may see (visible_to(user)),
    # each row a sequence of plain values (str/int/date/datetime/Decimal/None) matching columns;
    # fetched with a fixed number of queries (iterator(), select_related/prefetch), never N+1.
    rows: Callable[[User, OrgUnit, dt.date, dt.date], Iterable[Row]]


# Shared helpers for rows functions


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """first..last inclusive as a half-open range of aware datetimes, for timestamp columns."""
    return dt.datetime.combine(first, dt.time.min, tzinfo=local_zone()), end_of_day(last)


def local(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored time as the local wall-clock time a cell holds (Excel knows no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment is not None else None


def moment_text(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def history(lines: Iterable[str]) -> str:
    """A record's steps in one cell, one line each, in order."""
    return "\n".join(lines)


def district_name(community: OrgUnit) -> str:
    """The district a community belongs to (select_related "community__parent")."""
    return community.parent.name if community.parent_id else ""


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _step_line(parts: Iterable[str], note: str) -> str:
    head = " ".join(part for part in parts if part)
    return f"{head}{_(': ')}{note}" if note else head


# 1. Hazards (隐患台账): safety risks with their rectification history

HAZARD_COLUMNS = (
    gettext_lazy("District"),
    gettext_lazy("Community"),
    gettext_lazy("Establishment"),
    gettext_lazy("Found on"),
    gettext_lazy("Category"),
    gettext_lazy("Severity"),
    gettext_lazy("Description"),
    gettext_lazy("Rectify by"),
    gettext_lazy("Status"),
    gettext_lazy("Responsible person"),
    gettext_lazy("Rectification history"),
    gettext_lazy("Photos of the fix"),
    gettext_lazy("Closed on"),
)


def hazard_ledger_rows(user: User, unit: OrgUnit, first: dt.date, last: dt.date) -> Iterator[Row]:
    """Safety risks found on counted records dated first..last, as the `findings` figure dates them."""
    photos = (
        RectificationEvidence.objects.filter(finding=OuterRef("pk"))
        .order_by()
        .values("finding")
        .annotate(n=Count("pk"))
        .values("n")
    )
    findings = (
        Finding.objects.visible_to(user)
        .filter(
            counted_q("visit__patrol__"),
            kind=FindingKind.SAFETY_RISK,
            community__path__startswith=unit.path,
            visit__patrol__date__range=(first, last),
        )
        .select_related("community__parent", "establishment", "visit__patrol")
        .annotate(photos=Coalesce(Subquery(photos, output_field=IntegerField()), Value(0)))
        .prefetch_related(
            Prefetch("steps", queryset=RectificationStep.objects.select_related("actor").order_by("at", "pk"))
        )
        .order_by("visit__patrol__date", "visit__visited_at", "pk")
    )
    for finding in findings.iterator(chunk_size=CHUNK_SIZE):
        steps = history(
            _step_line(
                (moment_text(step.at), step.get_kind_display(), str(step.actor) if step.actor else ""),
                step.note,
            )
            for step in finding.steps.all()
        )
        yield (
            district_name(finding.community),
            finding.community.name,
            finding.establishment.name,
            finding.visit.patrol.date,
            finding.get_category_display(),
            finding.get_severity_display(),
            finding.description,
            finding.rectification_deadline,
            finding.get_status_display(),
            finding.owner_name,
            steps,
            finding.photos,
            timezone.localdate(finding.closed_at) if finding.closed_at else None,
        )


# 2. Leads (线索台账): leads with their steps; the reporter only as far as the reader may know them

LEAD_COLUMNS = (
    gettext_lazy("District"),
    gettext_lazy("Community"),
    gettext_lazy("Establishment"),
    gettext_lazy("Reported at"),
    gettext_lazy("Source"),
    gettext_lazy("Reporter"),
    gettext_lazy("Reporter's phone"),
    gettext_lazy("What was seen"),
    gettext_lazy("Status"),
    gettext_lazy("Closed at"),
    gettext_lazy("Reward (yuan)"),
    gettext_lazy("Steps"),
)


def lead_ledger_rows(user: User, unit: OrgUnit, first: dt.date, last: dt.date) -> Iterator[Row]:
    """Leads reported first..last (the `leads_reported` figure's dating). Who reported one is shown
    as patrols.reporters decides for every output: a name and phone to the district and above only."""
    start, end = day_bounds(first, last)
    leads = (
        Lead.objects.visible_to(user)
        .filter(community__path__startswith=unit.path, reported_at__gte=start, reported_at__lt=end)
        .select_related("community__parent", "establishment", "reporter", "reward")
        .prefetch_related(
            Prefetch("events", queryset=LeadEvent.objects.select_related("actor").order_by("at", "pk"))
        )
        .order_by("reported_at", "pk")
    )
    for lead in leads.iterator(chunk_size=CHUNK_SIZE):
        reporter = lead_reporter(user, lead)
        reward = getattr(lead, "reward", None)
        steps = history(
            _step_line(
                (moment_text(event.at), event.get_status_display(), event_actor(user, lead, event)),
                event.note,
            )
            for event in lead.events.all()
        )
        yield (
            district_name(lead.community),
            lead.community.name,
            lead.establishment.name if lead.establishment else "",
            local(lead.reported_at),
            lead.get_source_display(),
            reporter.name,
            reporter.phone,
            lead.description,
            lead.get_status_display(),
            local(lead.closed_at),
            reward.amount if reward is not None else None,
            steps,
        )


# 3. Incidents (事故台账): incidents with their first and follow-up reports

INCIDENT_COLUMNS = (
    gettext_lazy("District"),
    gettext_lazy("Community"),
    gettext_lazy("Unit involved"),
    gettext_lazy("Place"),
    gettext_lazy("Happened at"),
    gettext_lazy("People affected"),
    gettext_lazy("Basic facts"),
    gettext_lazy("First report late"),
    gettext_lazy("Reports"),
    gettext_lazy("Closed at"),
)


def incident_ledger_rows(user: User, unit: OrgUnit, first: dt.date, last: dt.date) -> Iterator[Row]:
    """Incidents that happened first..last (the `incidents` figure's dating), each with its reports:
    the first report (late or not), then the follow-ups, the final one marked, and its escalation to
    the city, if any, last."""
    start, end = day_bounds(first, last)
    incidents = (
        Incident.objects.visible_to(user)
        .filter(community__path__startswith=unit.path, occurred_at__gte=start, occurred_at__lt=end)
        .select_related("community__parent", "reported_by", "escalated_by")
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=IncidentReport.objects.select_related("reported_by").order_by("reported_at", "pk"),
            )
        )
        .order_by("occurred_at", "pk")
    )
    for incident in incidents.iterator(chunk_size=CHUNK_SIZE):
        first_kind = _("First report")
        if incident.first_report_late:
            first_kind = _("%(report)s (late)") % {"report": first_kind}
        lines = [
            _step_line(
                (moment_text(incident.reported_at), first_kind, str(incident.reported_by)), incident.facts
            )
        ]
        lines += [
            _step_line(
                (
                    moment_text(report.reported_at),
                    _("Final report") if report.is_final else pgettext("incident report", "Follow-up"),
                    str(report.reported_by),
                ),
                report.text,
            )
            for report in incident.reports.all()
        ]
        if incident.escalated_at:
            escalation = (
                moment_text(incident.escalated_at),
                _("Escalated to the city"),
                str(incident.escalated_by),
            )
            lines.append(_step_line(escalation, incident.escalation_note))
        yield (
            district_name(incident.community),
            incident.community.name,
            incident.unit_name,
            incident.place,
            local(incident.occurred_at),
            incident.people_affected,
            incident.facts,
            yes_no(incident.first_report_late),
            history(lines),
            local(incident.closed_at),
        )


# The registry: a plain list, so that adding a ledger is one line.

LEDGERS: list[Ledger] = [
    Ledger("hazards", gettext_lazy("Hazard ledger"), HAZARD_COLUMNS, hazard_ledger_rows),
    Ledger("leads", gettext_lazy("Lead ledger"), LEAD_COLUMNS, lead_ledger_rows),
    Ledger("incidents", gettext_lazy("Incident ledger"), INCIDENT_COLUMNS, incident_ledger_rows),
    Ledger("rapid_tests", RAPID_TEST_LEDGER_LABEL, RAPID_TEST_LEDGER_COLUMNS, rapid_test_ledger_rows),
    Ledger("training", gettext_lazy("Training ledger"), TRAINING_LEDGER_COLUMNS, training_ledger_rows),
]


def ledger_by_key(key: str) -> Ledger | None:
    return next((ledger for ledger in LEDGERS if ledger.key == key), None)


# Writing

# Column widths: the cells of free text and of a record's history are wide, the rest narrow.
WIDE, NARROW = 40, 16
WIDE_COLUMNS = frozenset(
    {"Description", "Rectification history", "What was seen", "Steps", "Basic facts", "Reports"}
)


def period_text(first: dt.date, last: dt.date) -> str:
    return f"{first:%Y-%m-%d}至{last:%Y-%m-%d}"


def ledger_filenames(ledger: Ledger, unit: OrgUnit, first: dt.date, last: dt.date) -> tuple[str, str]:
    """The download's name, and its ASCII fallback (as the monthly workbook's: what, whose, when)."""
    with translation.override("zh-hans"):
        label = str(ledger.label)
    return (
        f"{label}-{unit.name}-{period_text(first, last)}.xlsx",
        f"ledger-{ledger.key}-{unit.code}-{first:%Y%m%d}-{last:%Y%m%d}.xlsx",
    )


def _cell_value(value):
    """A value as a cell holds it: aware times as local wall-clock times (Excel has no zones)."""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return local(value)
    return value


def write_ledger(
    target: str | IO[bytes], ledger: Ledger, *, user: User, unit: OrgUnit, first: dt.date, last: dt.date
) -> int:
    """Stream the ledger of `unit` for first..last into an .xlsx at `target`; the number of rows."""
    workbook = Workbook(write_only=True)
    with translation.override("en"):
        widths = [WIDE if str(column) in WIDE_COLUMNS else NARROW for column in ledger.columns]
    with translation.override("zh-hans"):
        columns = [str(column) for column in ledger.columns]
        label = str(ledger.label)
        writer = SheetWriter(workbook.create_sheet(label[:31]), widths)
        writer.title(f"{unit.name} {label}（{period_text(first, last)}）")
        writer.note(f"导出时间：{moment_text(timezone.now())}")
        writer.header(columns)
        kinds = [TEXT] * len(columns)
        count = 0
        for row in ledger.rows(user, unit, first, last):
            values = [_cell_value(value) for value in row]
            writer.row(values, kinds)
            count += 1
    workbook.save(target)
    return count
