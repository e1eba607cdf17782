"""The figure catalogue: every figure of a monthly report, defined once (§6, "one truth").

Each entry names a figure's key, its label, how it is counted from the
records (which rows, dated by which field), how it adds up over units and
months, and the outputs that show it. Every output (the dashboards, the
report page, the monthly-report API, the Excel workbook, the PDF summary, the
archive and the assessment's prefilled items) takes its figures and labels
from here; none lists figures by hand.

Adding a figure is one entry below plus its count in reporting.figures (or,
for publicity, publicity.selectors.publicity_figures); every output then
shows it. The entry's key is the key of the figures dict that a submitted
report freezes (MonthlyReport.figures).

How a figure adds up:
- COUNT: a month's count; adds up over units and over months.
- STATE: how things stand on the day the figures were taken (open risks);
  adds up over units, and over months the latest month's value is taken.
- QUARTERLY: a quarterly rule kept (1 or 0) as of the month's end; adds up
  over units, and over months only quarters' last months count.
- RATE: a percentage, never added up: recomputed from its numerator and
  denominator wherever figures are summed.

The bureau compares files from every district side by side, so the Excel and
the PDF always use the Chinese labels (rendered under zh-hans), whatever the
reader's interface language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from patrols.models import FindingCategory, RiskClass

COUNT, STATE, QUARTERLY, RATE = "count", "state", "quarterly", "rate"

# The outputs a figure can appear in.
DASHBOARD, REPORT, API, EXCEL, PDF, ASSESSMENT = "dashboard", "report", "api", "excel", "pdf", "assessment"
EVERYWHERE = frozenset({DASHBOARD, REPORT, API, EXCEL, PDF, ASSESSMENT})
DETAIL = frozenset({REPORT, API, EXCEL, PDF})

# The tiers whose figures hold a figure: community figures are counted from the records, a
# district's compiled from the community reports it received; the city's add up its districts'.
COMMUNITY, DISTRICT, CITY = "community", "district", "city"
ALL_TIERS = frozenset({COMMUNITY, DISTRICT, CITY})
ABOVE_COMMUNITY = frozenset({DISTRICT, CITY})


@dataclass(frozen=True)
class Group:
    key: str
    label: Promise


GROUPS = [
    Group("patrol", _("Daily patrols")),
    Group("coverage", _("Due establishments visited")),
    Group("findings", _("Findings")),
    Group("categories", _("Findings by category")),
    Group("rapid_tests", _("Rapid tests")),
    Group("leads", _("Leads and incidents")),
    Group("publicity", _("Publicity")),
    Group("communities", _("Community reports received")),
]


@dataclass(frozen=True)
class Figure:
    key: str
    label: Promise
    counts: Promise  # which rows, dated by which field
    group: str
    kind: str = COUNT
    numerator: str = ""
    denominator: str = ""
    outputs: frozenset[str] = DETAIL
    tiers: frozenset[str] = ALL_TIERS

    @property
    def sorted_outputs(self) -> list[str]:
        return sorted(self.outputs)

    @property
    def sorted_tiers(self) -> list[str]:
        return sorted(self.tiers)

    @property
    def adds_up(self) -> bool:
        return self.kind != RATE

    def shown_in(self, output: str, tier: str) -> bool:
        return output in self.outputs and tier in self.tiers


def _risk_figures() -> list[Figure]:
    figures = []
    for risk in RiskClass:
        figures += [
            Figure(
                f"due_{risk.value}",
                format_lazy(_("Class {risk} due"), risk=risk.value),
                format_lazy(
                    _(
                        "Open establishments of class {risk} registered by the month's end whose next "
                        "visit fell due by then (the due-for-a-visit rule, patrols.schedule)"
                    ),
                    risk=risk.value,
                ),
                "coverage",
            ),
            Figure(
                f"covered_{risk.value}",
                format_lazy(_("Class {risk} visited"), risk=risk.value),
                _("Of those, visited on a counted patrol record dated in the month"),
                "coverage",
            ),
            Figure(
                f"coverage_rate_{risk.value}",
                format_lazy(_("Class {risk} coverage"), risk=risk.value),
                format_lazy(_("Visited of due, class {risk}"), risk=risk.value),
                "coverage",
                kind=RATE,
                numerator=f"covered_{risk.value}",
                denominator=f"due_{risk.value}",
            ),
        ]
    return figures


def _category_figures() -> list[Figure]:
    return [
        Figure(
            f"findings_{category.value}",
            category.label,
            _("Findings of this category recorded at visits of counted records dated in the month"),
            "categories",
        )
        for category in FindingCategory
    ]


FIGURES: list[Figure] = [
    # Daily patrols. A patrolled day and a counted record: Patrol.objects.counted().
    Figure(
        "days",
        _("Days in the month"),
        _("Days of the month on which the unit existed (from its opening day to its closing day)"),
        "patrol",
        outputs=frozenset({REPORT, API, EXCEL, PDF, ASSESSMENT}),
    ),
    Figure(
        "patrol_days",
        _("Days patrolled"),
        _(
            "Days of the month with a submitted patrol record holding at least one visit, by the "
            "record's date; drafts, records sent back and empty records count for nothing"
        ),
        "patrol",
        outputs=EVERYWHERE,
    ),
    Figure(
        "patrol_day_rate",
        _("Patrol-day rate"),
        _("Days patrolled of the days in the month"),
        "patrol",
        kind=RATE,
        numerator="patrol_days",
        denominator="days",
        outputs=EVERYWHERE,
    ),
    Figure(
        "patrols",
        _("Patrol records"),
        _("Submitted patrol records holding at least one visit, by the record's date"),
        "patrol",
    ),
    # Records of the kinds the plans count apart from the daily patrol (夜查 at least twice a month).
    Figure(
        "night_checks",
        _("Night checks"),
        _("Submitted night-check records holding at least one visit, by the record's date"),
        "patrol",
        outputs=EVERYWHERE,
    ),
    Figure(
        "campaign_checks",
        _("Special-campaign checks"),
        _("Submitted special-campaign records holding at least one visit, by the record's date"),
        "patrol",
    ),
    Figure(
        "joint_checks",
        _("Joint checks"),
        _("Submitted joint-check records holding at least one visit, by the record's date"),
        "patrol",
    ),
    Figure(
        "holiday_checks",
        _("Holiday checks"),
        _("Submitted holiday-check records holding at least one visit, by the record's date"),
        "patrol",
    ),
    Figure(
        "visits",
        _("Visits"),
        _("Visits on those records, by the record's date (a visit falls on its record's day)"),
        "patrol",
        outputs=EVERYWHERE,
    ),
    Figure(
        "visits_with_issues",
        _("Visits with problems"),
        _("Of those visits, the ones whose result was 'problems found'"),
        "patrol",
    ),
    Figure(
        "visit_records_signed",
        _("Visit records signed by the shop"),
        _("Of those visits, the ones whose record the shop's responsible person signed"),
        "patrol",
    ),
    Figure(
        "visit_records_refused",
        _("Visit records refused by the shop"),
        _("Of those visits, the ones whose record the shop refused to sign"),
        "patrol",
    ),
    # Coverage of due establishments.
    *_risk_figures(),
    Figure(
        "due",
        _("Due establishments"),
        _("Establishments due for a visit in the month, every risk class"),
        "coverage",
        outputs=EVERYWHERE,
    ),
    Figure(
        "covered",
        _("Due establishments visited"),
        _("Of those, visited on a counted record dated in the month"),
        "coverage",
        outputs=EVERYWHERE,
    ),
    Figure(
        "coverage_rate",
        _("Coverage"),
        _("Due establishments visited of those due"),
        "coverage",
        kind=RATE,
        numerator="covered",
        denominator="due",
        outputs=EVERYWHERE,
    ),
    # Findings.
    Figure(
        "findings",
        _("Findings"),
        _("Findings recorded at visits of counted records dated in the month"),
        "findings",
        outputs=EVERYWHERE,
    ),
    Figure(
        "rectified",
        _("Rectified"),
        _("Of those findings, the ones rectified when the figures were taken"),
        "findings",
        outputs=EVERYWHERE,
    ),
    Figure(
        "rectification_rate",
        _("Rectification rate"),
        _("Rectified of the month's findings"),
        "findings",
        kind=RATE,
        numerator="rectified",
        denominator="findings",
        outputs=frozenset({REPORT, API, EXCEL, PDF, ASSESSMENT}),
    ),
    Figure(
        "open",
        _("Not yet rectified"),
        _("Of those findings, the ones still open when the figures were taken"),
        "findings",
    ),
    Figure(
        "reported",
        _("Passed to the district"),
        _("Of those findings, the suspected violations reported to the district as leads"),
        "findings",
    ),
    Figure(
        "rectified_with_evidence",
        _("Rectifications closed with evidence"),
        _(
            "Safety risks closed in the month with at least one photo of the fix, by the day they "
            "were closed (Asia/Shanghai), whenever they were found"
        ),
        "findings",
    ),
    Figure(
        "open_risks",
        _("Open risks"),
        _("All open safety risks of the unit on the day the figures were taken, whenever found"),
        "findings",
        kind=STATE,
        outputs=EVERYWHERE,
    ),
    Figure(
        "overdue_risks",
        _("Overdue risks"),
        _("Of the open risks, those past their rectification deadline on that day"),
        "findings",
        kind=STATE,
        outputs=EVERYWHERE,
    ),
    *_category_figures(),
    # Rapid tests (快筛快检), counted where the visit was; the tests of a district's own test room
    # are the district's own work, counted in its figures (and so the city's), never a community's.
    Figure(
        "rapid_tests",
        _("Rapid-test batches"),
        _(
            "Samples tested at visits of counted patrol records, by the day they were tested "
            "(Asia/Shanghai); tests in the district's test room are not included"
        ),
        "rapid_tests",
        outputs=EVERYWHERE,
    ),
    Figure(
        "rapid_tests_positive",
        _("Rapid tests positive"),
        _("Of those batches, the ones whose result was positive (each opened a finding)"),
        "rapid_tests",
        outputs=frozenset({DASHBOARD, REPORT, API, EXCEL, PDF}),
    ),
    Figure(
        "room_rapid_tests",
        _("Rapid tests in the district's test room"),
        _(
            "Samples tested in the district's own rapid-test room, by the day they were tested "
            "(Asia/Shanghai): the district's work, added to what its communities reported"
        ),
        "rapid_tests",
        tiers=ABOVE_COMMUNITY,
    ),
    Figure(
        "room_rapid_tests_positive",
        _("Room rapid tests positive"),
        _("Of the test room's batches, the positive ones (each opened a lead or named a finding)"),
        "rapid_tests",
        tiers=ABOVE_COMMUNITY,
    ),
    # Leads and incidents.
    Figure(
        "leads_reported",
        _("Leads reported"),
        _("Leads reported in the month, by the time they were reported (Asia/Shanghai)"),
        "leads",
        outputs=EVERYWHERE,
    ),
    Figure(
        "leads_filed",
        _("Leads filed as cases"),
        _("Leads filed as a case in the month, by the time they were filed"),
        "leads",
        outputs=EVERYWHERE,
    ),
    Figure(
        "incidents",
        _("Incidents"),
        _("Incidents that happened in the month, by when they happened (not when reported)"),
        "leads",
        outputs=EVERYWHERE,
    ),
    Figure(
        "incidents_late",
        _("Incidents first reported late"),
        _("Of those incidents, the ones whose first report came after the one-hour window"),
        "leads",
    ),
    # Publicity (§7), counted in publicity.selectors.publicity_figures, by each record's date.
    Figure(
        "bulletin_updates",
        _("Bulletin-board updates"),
        _("Bulletin-board column updates dated in the month"),
        "publicity",
    ),
    Figure(
        "bulletin_met",
        _("Months the bulletin board was updated"),
        _("1 when the column was updated in the month (the monthly rule kept), else 0"),
        "publicity",
    ),
    Figure(
        "slogan_updates",
        _("Slogan updates"),
        _("Slogan updates dated in the month"),
        "publicity",
    ),
    Figure(
        "slogan_met",
        _("Quarters the slogans were updated"),
        _(
            "1 when the slogans were updated in the quarter up to the month's end; over several months "
            "only quarters' last months count"
        ),
        "publicity",
        kind=QUARTERLY,
    ),
    Figure(
        "activities",
        _("Publicity activities"),
        _("Publicity activities held in the month, by the activity's date"),
        "publicity",
        outputs=EVERYWHERE,
    ),
    Figure(
        "activity_attendance",
        _("Activity attendance"),
        _("People attending those activities"),
        "publicity",
    ),
    Figure(
        "brochure_households",
        _("Brochures to households"),
        _("Households reached by brochures handed out in the month, by the date handed out"),
        "publicity",
        outputs=frozenset({REPORT, API, EXCEL, PDF, ASSESSMENT}),
    ),
    Figure(
        "brochure_copies",
        _("Brochure copies"),
        _("Copies of brochures handed out in the month"),
        "publicity",
    ),
    Figure(
        "medicine_packs",
        _("Expired medicine collected (packs)"),
        _("Packs collected from the collection boxes in the month, by the collection's date"),
        "publicity",
    ),
    Figure(
        "trainings",
        _("Training sessions"),
        _("Training sessions and meetings held in the month, by their date"),
        "publicity",
    ),
    Figure(
        "training_attendance",
        _("Training attendance"),
        _("People attending those sessions"),
        "publicity",
    ),
    Figure(
        "training_hours",
        _("Training hours"),
        _(
            "Hours of those sessions added up (each session's length, not per person), "
            "half an hour rounded up to a whole hour per community and month"
        ),
        "publicity",
        outputs=frozenset({REPORT, API, EXCEL, PDF, ASSESSMENT}),
    ),
    Figure(
        "drills",
        _("Emergency drills"),
        _("Emergency drills held in the month, by their date (a district's drills count where held)"),
        "publicity",
        outputs=frozenset({REPORT, API, EXCEL, PDF, ASSESSMENT}),
    ),
    # A district's report counts the community reports it received (§6).
    Figure(
        "communities_expected",
        _("Community reports owed"),
        _("Communities that existed in the month and so owe a report on it"),
        "communities",
        tiers=ABOVE_COMMUNITY,
    ),
    Figure(
        "communities_received",
        _("Community reports received"),
        _("Community reports submitted when the district's figures were taken"),
        "communities",
        tiers=ABOVE_COMMUNITY,
        outputs=frozenset({DASHBOARD, REPORT, API, EXCEL, PDF}),
    ),
    Figure(
        "communities_late",
        _("Community reports late"),
        _("Of those, the ones submitted after their deadline"),
        "communities",
        tiers=ABOVE_COMMUNITY,
    ),
    Figure(
        "communities_missing",
        _("Community reports missing"),
        _("Communities that owed a report and had not submitted it"),
        "communities",
        tiers=ABOVE_COMMUNITY,
    ),
]

BY_KEY = {figure.key: figure for figure in FIGURES}
ADDITIVE = tuple(figure.key for figure in FIGURES if figure.adds_up)
RATES = tuple(figure for figure in FIGURES if figure.kind == RATE)
RISK_KEYS = {risk.value: (f"due_{risk.value}", f"covered_{risk.value}") for risk in RiskClass}
CATEGORY_KEYS = {category.value: f"findings_{category.value}" for category in FindingCategory}

# The catalogue's fingerprint: kept figures (the cache) are keyed by it, so a change to any
# figure's definition makes every kept value stale without a hand-bumped version string.
VERSION = hashlib.sha1(
    repr(
        [(f.key, f.kind, f.numerator, f.denominator, sorted(f.outputs), sorted(f.tiers)) for f in FIGURES]
    ).encode(),
    usedforsecurity=False,
).hexdigest()[:10]


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def empty() -> dict:
    return with_rates(dict.fromkeys(ADDITIVE, 0))


def with_rates(figures: dict) -> dict:
    for figure in RATES:
        figures[figure.key] = percent(figures.get(figure.numerator, 0), figures.get(figure.denominator, 0))
    return figures


def total(many: Iterable[dict]) -> dict:
    """The sum of several units' figures (of one month), rates recomputed from the sums."""
    result = dict.fromkeys(ADDITIVE, 0)
    for figures in many:
        for key in ADDITIVE:
            result[key] += figures.get(key) or 0
    return with_rates(result)


def total_over_months(months: list, by_month: list[dict]) -> dict:
    """One unit's figures of several months (oldest first) added up, as the year of §9 needs.

    What is not a month's count is not added up: a STATE is the latest month's, and a
    QUARTERLY rule counts once per quarter whose last month is among the months.
    """
    result = total(by_month)
    for figure in FIGURES:
        if figure.kind == STATE:
            result[figure.key] = (by_month[-1].get(figure.key) or 0) if by_month else 0
        elif figure.kind == QUARTERLY:
            result[figure.key] = sum(
                figures.get(figure.key) or 0
                for month, figures in zip(months, by_month, strict=True)
                if month.month % 3 == 0
            )
    return with_rates(result)


def normalise(figures: dict | None) -> dict:
    """Figures as the catalogue keys them, whatever catalogue they were frozen under.

    A snapshot frozen before a figure existed lacks it: it shows 0. Snapshots frozen before
    the catalogue nested the risk classes, categories and received reports; they are read flat.
    """
    figures = dict(figures or {})
    for risk, pair in (figures.pop("by_risk", None) or {}).items():
        if risk in RISK_KEYS:
            figures.setdefault(RISK_KEYS[risk][0], pair.get("due", 0))
            figures.setdefault(RISK_KEYS[risk][1], pair.get("covered", 0))
    for category, count in (figures.pop("by_category", None) or {}).items():
        if category in CATEGORY_KEYS:
            figures.setdefault(CATEGORY_KEYS[category], count)
    for key, count in (figures.pop("communities", None) or {}).items():
        figures.setdefault(f"communities_{key}", count)
    figures.pop("communities_on_time", None)
    for key in ADDITIVE:
        figures[key] = figures.get(key) or 0
    return with_rates(figures)


def shown(output: str, tier: str, *, group: str | None = None) -> list[Figure]:
    """The figures an output shows for a unit of `tier` (of one group), in the catalogue's order."""
    return [f for f in FIGURES if f.shown_in(output, tier) and (group is None or f.group == group)]


def display(figure: Figure, value) -> str:
    """How a value reads on a page or in the PDF: rates as percentages, "—" when undefined."""
    if figure.kind == RATE:
        return "—" if value is None else f"{value}%"
    return str(value if value is not None else 0)


@dataclass(frozen=True)
class Cell:
    figure: Figure
    value: int | None

    @property
    def text(self) -> str:
        return display(self.figure, self.value)


def cells(figures: dict, output: str, tier: str) -> list[Cell]:
    return [Cell(figure, figures.get(figure.key)) for figure in shown(output, tier)]


def grouped(figures: dict, output: str, tier: str) -> list[tuple[Group, list[Cell]]]:
    """The cells of an output, in the catalogue's groups (the report page and the PDF)."""
    result = []
    for group in GROUPS:
        group_cells = [c for c in cells(figures, output, tier) if c.figure.group == group.key]
        if group_cells:
            result.append((group, group_cells))
    return result
