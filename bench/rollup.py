"""The city's monthly roll-up: the product's figures code against one hand-written SQL query.

The floor computes every figure of reporting.figures.community_figures for
every community of the city in a single statement (aggregates joined per
community), written out on its own from the rules of the figure catalogue
(reporting.catalogue): counted records are submitted ones holding a visit,
coverage is owed only in a month the community existed and reads visits from
schedule.visits_matter_from on, as the product does. Python only shapes
the rows into the same flat dicts, with the same rounding, so the two results
can be compared key by key (tests/test_bench_rollup.py, on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from collections.abc import Callable

from django.db import connection

from orgs.models import OrgUnit, OrgUnitKind
from patrols import schedule
from patrols.models import (
    Establishment,
    Finding,
    Incident,
    Lead,
    Patrol,
    RapidTest,
    RectificationEvidence,
    RiskClass,
    Visit,
)
from patrols.schedule import BLACK_LIST_INTERVAL_DAYS, RISK_INTERVAL_MONTHS
from publicity import rules
from publicity.models import Activity, BoardKind, BoardUpdate, BoxCollection, BrochureDrop, TrainingSession
from reporting import catalogue, periods
from reporting import figures as report_figures

RATIO_TARGET = 1.5  # the product's roll-up may cost at most this many times its SQL floor
RISKS = [choice.value for choice in RiskClass]


def _tables() -> dict[str, str]:
    models = {
        "unit": OrgUnit,
        "patrol": Patrol,
        "visit": Visit,
        "establishment": Establishment,
        "finding": Finding,
        "evidence": RectificationEvidence,
        "lead": Lead,
        "incident": Incident,
        "rapid_test": RapidTest,
        "board": BoardUpdate,
        "activity": Activity,
        "brochure": BrochureDrop,
        "training": TrainingSession,
        "collection": BoxCollection,
        "box": BoxCollection._meta.get_field("box").related_model,
    }
    return {name: connection.ops.quote_name(model._meta.db_table) for name, model in models.items()}


def _risk_columns() -> str:
    return ",\n".join(
        f"count(*) FILTER (WHERE risk_class = '{risk}') AS due_{risk.lower()}, "
        f"count(*) FILTER (WHERE risk_class = '{risk}' AND visited) AS covered_{risk.lower()}"
        for risk in RISKS
    )


def _interval_case() -> str:
    whens = " ".join(f"WHEN '{risk}' THEN {months}" for risk, months in RISK_INTERVAL_MONTHS.items())
    return f"CASE e.risk_class {whens} END"


def floor_sql() -> str:
    t = _tables()
    return f"""
WITH units AS (
  SELECT id, opened_on, closed_on FROM {t["unit"]} WHERE kind = 'community' AND path LIKE %(path)s
),
existed AS (
  SELECT id FROM units
  WHERE coalesce(opened_on, %(first)s) <= %(last)s AND coalesce(closed_on, %(last)s) >= %(first)s
),
counted AS (
  -- The records that count: submitted (awaiting review or archived) and holding a visit.
  SELECT p.id, p.community_id, p.date, p.kind FROM {t["patrol"]} p JOIN units u ON u.id = p.community_id
  WHERE p.status IN ('submitted', 'archived') AND p.date BETWEEN %(since)s AND %(last)s
    AND EXISTS (SELECT 1 FROM {t["visit"]} v WHERE v.patrol_id = p.id)
),
pat AS (
  SELECT p.community_id AS cid, count(DISTINCT p.date) AS patrol_days, count(*) AS patrols,
         count(*) FILTER (WHERE p.kind = 'night') AS night, count(*) FILTER (WHERE p.kind = 'campaign')
         AS campaign, count(*) FILTER (WHERE p.kind = 'joint') AS joint,
         count(*) FILTER (WHERE p.kind = 'holiday') AS holiday
  FROM counted p WHERE p.date >= %(first)s GROUP BY 1
),
vis AS (
  SELECT p.community_id AS cid, count(*) AS visits, count(*) FILTER (WHERE v.result = 'issues') AS issues,
         count(v.shop_signed_at) AS signed, count(v.shop_refused_at) AS refused
  FROM {t["visit"]} v JOIN counted p ON p.id = v.patrol_id
  WHERE p.date >= %(first)s GROUP BY 1
),
seen AS (
  SELECT v.establishment_id AS eid,
         max(p.date) FILTER (WHERE p.date < %(first)s) AS last_before,
         bool_or(p.date >= %(first)s) AS visited
  FROM {t["visit"]} v JOIN counted p ON p.id = v.patrol_id
  JOIN {t["establishment"]} e ON e.id = v.establishment_id JOIN existed u ON u.id = e.community_id
  GROUP BY 1
),
starts AS (
  SELECT e.community_id AS cid, e.risk_class, e.watch_list, coalesce(s.visited, false) AS visited,
         -- A counted visit before %(since)s makes the shop due whenever it was (the longest interval);
         -- only a shop registered since then can hide one.
         coalesce(s.last_before, CASE WHEN e.registered_on >= %(since)s AND EXISTS (
           SELECT 1 FROM {t["visit"]} v JOIN {t["patrol"]} p ON p.id = v.patrol_id
           WHERE v.establishment_id = e.id AND p.date < %(since)s AND p.status IN ('submitted', 'archived')
         ) THEN %(since)s::date - 1 END, e.registered_on) AS start,
         least({_interval_case()}, coalesce(nullif(e.tightened_interval_months, 0), 99)) AS months
  FROM {t["establishment"]} e JOIN existed u ON u.id = e.community_id LEFT JOIN seen s ON s.eid = e.id
  WHERE e.status = 'open' AND e.registered_on <= %(last)s
),
due AS (
  SELECT cid, risk_class, visited,
         CASE WHEN watch_list = 'black'
              THEN least((start + make_interval(months => months))::date, start + {BLACK_LIST_INTERVAL_DAYS})
              ELSE (start + make_interval(months => months))::date END AS due
  FROM starts
),
cov AS (
  SELECT cid, {_risk_columns()}
  FROM due WHERE due <= %(last)s GROUP BY 1
),
fin_cat AS (
  SELECT f.community_id AS cid, f.category, count(*) AS total,
         count(*) FILTER (WHERE f.status = 'closed') AS rectified,
         count(*) FILTER (WHERE f.status = 'open') AS open,
         count(*) FILTER (WHERE f.status = 'reported') AS reported
  FROM {t["finding"]} f JOIN {t["visit"]} v ON v.id = f.visit_id JOIN counted p ON p.id = v.patrol_id
  WHERE p.date >= %(first)s GROUP BY 1, 2
),
fin AS (
  SELECT cid, jsonb_object_agg(category, total) AS by_category, sum(total) AS findings,
         sum(rectified) AS rectified, sum(open) AS open, sum(reported) AS reported
  FROM fin_cat GROUP BY 1
),
risks AS (
  SELECT f.community_id AS cid,
         count(*) AS open_risks, count(*) FILTER (WHERE f.rectification_deadline < %(on)s) AS overdue_risks
  FROM {t["finding"]} f JOIN units u ON u.id = f.community_id
  WHERE f.kind = 'safety_risk' AND f.status = 'open' GROUP BY 1
),
fixed AS (
  -- Risks closed in the month with a photo of the fix, by the close, whenever found.
  SELECT f.community_id AS cid, count(*) AS n
  FROM {t["finding"]} f JOIN units u ON u.id = f.community_id
  WHERE f.kind = 'safety_risk' AND f.status = 'closed'
    AND f.closed_at >= %(start)s AND f.closed_at < %(end)s
    AND EXISTS (SELECT 1 FROM {t["evidence"]} x WHERE x.finding_id = f.id)
  GROUP BY 1
),
leads AS (
  SELECT l.community_id AS cid,
         count(*) FILTER (WHERE l.reported_at >= %(start)s AND l.reported_at < %(end)s) AS reported,
         count(*) FILTER (WHERE l.status = 'filed' AND l.closed_at >= %(start)s AND l.closed_at < %(end)s)
           AS filed
  FROM {t["lead"]} l JOIN units u ON u.id = l.community_id GROUP BY 1
),
inc AS (
  SELECT i.community_id AS cid, count(*) AS incidents, count(*) FILTER (WHERE i.first_report_late) AS late
  FROM {t["incident"]} i JOIN units u ON u.id = i.community_id
  WHERE i.occurred_at >= %(start)s AND i.occurred_at < %(end)s GROUP BY 1
),
boards AS (
  SELECT b.community_id AS cid,
         count(*) FILTER (WHERE b.kind = 'bulletin' AND b.date >= %(first)s) AS bulletin,
         count(*) FILTER (WHERE b.kind = 'slogan' AND b.date >= %(first)s) AS slogan_month,
         count(*) FILTER (WHERE b.kind = 'slogan') AS slogan_quarter
  FROM {t["board"]} b JOIN units u ON u.id = b.community_id
  WHERE b.date BETWEEN %(quarter)s AND %(last)s GROUP BY 1
),
act AS (
  SELECT a.community_id AS cid, count(*) AS n, sum(a.attendance) AS people
  FROM {t["activity"]} a JOIN units u ON u.id = a.community_id
  WHERE a.date BETWEEN %(first)s AND %(last)s GROUP BY 1
),
bro AS (
  SELECT b.community_id AS cid, sum(b.households) AS households, sum(b.copies) AS copies
  FROM {t["brochure"]} b JOIN units u ON u.id = b.community_id
  WHERE b.date BETWEEN %(first)s AND %(last)s GROUP BY 1
),
tra AS (
  SELECT s.community_id AS cid, count(*) FILTER (WHERE s.kind <> 'drill') AS n,
         sum(s.attendance) FILTER (WHERE s.kind <> 'drill') AS people,
         round(sum(s.hours) FILTER (WHERE s.kind <> 'drill')) AS hours,
         count(*) FILTER (WHERE s.kind = 'drill') AS drills
  FROM {t["training"]} s JOIN units u ON u.id = s.community_id
  WHERE s.date BETWEEN %(first)s AND %(last)s GROUP BY 1
),
rapid AS (
  -- Batches tested at visits of submitted records, by the time they were tested.
  SELECT r.community_id AS cid, count(*) AS n, count(*) FILTER (WHERE r.result = 'positive') AS positive
  FROM {t["rapid_test"]} r JOIN units u ON u.id = r.community_id
  JOIN {t["visit"]} v ON v.id = r.visit_id JOIN {t["patrol"]} p ON p.id = v.patrol_id
  WHERE p.status IN ('submitted', 'archived') AND r.tested_at >= %(start)s AND r.tested_at < %(end)s
  GROUP BY 1
),
packs AS (
  SELECT x.community_id AS cid, sum(c.items) AS packs
  FROM {t["collection"]} c JOIN {t["box"]} x ON x.id = c.box_id JOIN units u ON u.id = x.community_id
  WHERE c.date BETWEEN %(first)s AND %(last)s GROUP BY 1
)
SELECT u.id,
  greatest(least(coalesce(u.closed_on, %(last)s), %(last)s)
           - greatest(coalesce(u.opened_on, %(first)s), %(first)s) + 1, 0) AS days,
  pat.patrol_days, pat.patrols, pat.night, pat.campaign, pat.joint, pat.holiday,
  vis.visits, vis.issues, vis.signed, vis.refused,
  {", ".join(f"cov.due_{r.lower()}, cov.covered_{r.lower()}" for r in RISKS)},
  fin.by_category, fin.findings, fin.rectified, fin.open, fin.reported,
  risks.open_risks, risks.overdue_risks, leads.reported, leads.filed, inc.incidents, inc.late,
  boards.bulletin, boards.slogan_month, boards.slogan_quarter, act.n, act.people,
  bro.households, bro.copies, packs.packs, tra.n, tra.people, fixed.n, tra.hours, tra.drills,
  rapid.n, rapid.positive
FROM units u
LEFT JOIN pat ON pat.cid = u.id LEFT JOIN vis ON vis.cid = u.id LEFT JOIN cov ON cov.cid = u.id
LEFT JOIN fin ON fin.cid = u.id LEFT JOIN risks ON risks.cid = u.id LEFT JOIN leads ON leads.cid = u.id
LEFT JOIN inc ON inc.cid = u.id LEFT JOIN boards ON boards.cid = u.id LEFT JOIN act ON act.cid = u.id
LEFT JOIN bro ON bro.cid = u.id LEFT JOIN packs ON packs.cid = u.id LEFT JOIN tra ON tra.cid = u.id
LEFT JOIN fixed ON fixed.cid = u.id LEFT JOIN rapid ON rapid.cid = u.id
"""


def _shape(row: tuple) -> dict:
    """One SQL row as the product's figures dict (same keys, same rounding of the rates)."""
    n = [value or 0 for value in row]
    (pk, days, patrol_days, patrols, night, campaign, joint, holiday), n = n[:8], n[8:]
    (visits, issues, signed, refused), rest = n[:4], n[4:]
    by_risk = {risk: (int(rest[2 * i]), int(rest[2 * i + 1])) for i, risk in enumerate(RISKS)}
    rest = rest[2 * len(RISKS) :]
    (by_category, findings, rectified, open_, reported, open_risks, overdue_risks) = rest[:7]
    (leads_reported, leads_filed, incidents, incidents_late) = rest[7:11]
    (bulletin, slogan_month, slogan_quarter, activities, attendance) = rest[11:16]
    (households, copies, medicine, trainings, training_people) = rest[16:21]
    rectified_with_evidence = rest[21]
    (training_hours, drills) = rest[22:24]
    rapid_tests, rapid_tests_positive = rest[24:26]
    figures = catalogue.empty()
    figures.update(
        days=days,
        patrol_days=patrol_days,
        patrols=patrols,
        night_checks=night,
        campaign_checks=campaign,
        joint_checks=joint,
        holiday_checks=holiday,
        visits=visits,
        visits_with_issues=issues,
        visit_records_signed=signed,
        visit_records_refused=refused,
        due=sum(due for due, _covered in by_risk.values()),
        covered=sum(covered for _due, covered in by_risk.values()),
        **{f"due_{risk}": due for risk, (due, _covered) in by_risk.items()},
        **{f"covered_{risk}": covered for risk, (_due, covered) in by_risk.items()},
        findings=int(findings),
        rectified=int(rectified),
        rectified_with_evidence=rectified_with_evidence,
        open=int(open_),
        reported=int(reported),
        open_risks=open_risks,
        overdue_risks=overdue_risks,
        leads_reported=leads_reported,
        leads_filed=leads_filed,
        incidents=incidents,
        incidents_late=incidents_late,
        bulletin_updates=bulletin,
        bulletin_met=int(bulletin > 0),
        slogan_updates=slogan_month,
        slogan_met=int(slogan_quarter > 0),
        activities=activities,
        activity_attendance=int(attendance),
        brochure_households=int(households),
        brochure_copies=int(copies),
        medicine_packs=int(medicine),
        trainings=trainings,
        training_attendance=int(training_people),
        training_hours=int(training_hours),
        drills=drills,
        rapid_tests=rapid_tests,
        rapid_tests_positive=rapid_tests_positive,
    )
    # Django has psycopg hand jsonb over as text.
    categories = json.loads(by_category) if isinstance(by_category, str) else by_category or {}
    figures.update({f"findings_{category}": count for category, count in categories.items()})
    return pk, catalogue.with_rates(figures)


def floor_rollup(city: OrgUnit, period: dt.date, on: dt.date) -> dict[int, dict]:
    start, end = periods.month_bounds(period)
    params = {
        "path": f"{city.path}%",
        "first": period,
        "since": schedule.visits_matter_from(period),
        "last": periods.period_last_day(period),
        "quarter": rules.period_start(BoardKind.SLOGAN, period),
        "on": on,
        "start": start,
        "end": end,
    }
    with connection.cursor() as cursor:
        cursor.execute(floor_sql(), params)
        return dict(_shape(row) for row in cursor.fetchall())


def product_rollup(city: OrgUnit, period: dt.date, on: dt.date) -> dict[int, dict]:
    """What the product runs for the city's month: every community's figures."""
    communities = OrgUnit.objects.filter(path__startswith=city.path, kind=OrgUnitKind.COMMUNITY)
    return report_figures.community_figures(communities, period, on=on)


def _timed(fn: Callable[[], dict], repeats: int) -> tuple[float, dict]:
    times, result = [], {}
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def measure(city: OrgUnit, period: dt.date, on: dt.date, repeats: int) -> dict:
    """Median of `repeats` warm runs each, after one run of each to warm the caches."""
    product_rollup(city, period, on)
    floor_rollup(city, period, on)
    product_ms, product = _timed(lambda: product_rollup(city, period, on), repeats)
    floor_ms, floor = _timed(lambda: floor_rollup(city, period, on), repeats)
    differences = [pk for pk in product if product[pk] != floor.get(pk)]
    ratio = product_ms / floor_ms if floor_ms else None
    return {
        "period": f"{period:%Y-%m}",
        "communities": len(product),
        "product_ms": round(product_ms, 1),
        "floor_ms": round(floor_ms, 1),
        "ratio": round(ratio, 2) if ratio else None,
        "target": f"ratio <= {RATIO_TARGET}",
        "agree": not differences and len(product) == len(floor),
        "disagreeing_communities": differences[:5],
        "pass": bool(ratio is not None and ratio <= RATIO_TARGET and not differences),
    }
