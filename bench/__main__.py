"""`python -m bench`: the product measured against its own floors, in one run, as one JSON object.

Needs PostgreSQL (DATABASE_URL) holding the city of `manage.py seed_scale`.
Progress goes to stderr; the JSON object alone goes to stdout.

1. The city's monthly roll-up (every community's figures) against one SQL query.
2. The month's Excel exports (time, peak memory), the district PDF summary, and what one request
   of each kind costs in process (bench/pages.py).
3. The city's busiest hour (bench/hour.py) served by gunicorn (DEBUG off), open-loop at
   1× and 10× the load model, then faster until a kind of request misses its target.
4. The inspector's pages on an emulated slow 3G phone, in Chromium (bench/phone.py).
5. Only when asked (`--only closed`): the older closed-loop figures, a few users asking as fast
   as they can on a read-only load, a lower bound on latency, not a model of anyone's day.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import sys
from concurrent.futures import ThreadPoolExecutor

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# The sessions the bench writes are signed with the key of the server it starts (bench.server).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(64))

DASHBOARD_P95_MS = 300
VISIT_P95_MS = 200
THROUGHPUT_SHARE = 1 / 3
PARTS = ("rollup", "documents", "pages", "hour", "phone")
CLOSED = ("inspector_home", "visit_post", "district_dashboard", "city_dashboard", "establishment_api")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=40, help="seconds per step of the hour (default 40)")
    parser.add_argument(
        "--factors",
        type=lambda text: [float(x) for x in text.split(",")],
        default=[1, 10],
        help="multiples of the busiest hour to run (default 1,10), then faster until one misses",
    )
    parser.add_argument("--no-search", action="store_true", help="run --factors only, not faster ones")
    parser.add_argument("--warmup", type=float, default=30, help="seconds at 1x first, unreported")
    parser.add_argument("--clients", type=int, default=16, help="closed loop: clients (default 16)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--repeats", type=int, default=5, help="runs of each in-process measure (median)")
    parser.add_argument("--month", help="YYYY-MM (default: the previous month)")
    parser.add_argument("--skip-http", action="store_true", help="only the in-process measures")
    parser.add_argument(
        "--only",
        type=lambda text: set(text.split(",")),
        help="comma-separated parts to run: rollup, documents, pages, hour, phone (the default: all), "
        "closed (the closed-loop lower bound) or some of its scenarios "
        "(inspector_home, visit_post, district_dashboard, city_dashboard, establishment_api)",
    )
    return parser.parse_args(argv)


def check_database():
    """Stop with a clear message unless this is PostgreSQL with the scale city in it."""
    from django.db import connection

    from orgs.management.commands.seed_scale import CITY_CODE
    from orgs.models import OrgUnit
    from patrols.models import Establishment, Patrol, Visit

    if connection.vendor != "postgresql":
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://… (see README, Benchmarks).")
    city = OrgUnit.objects.filter(code=CITY_CODE, kind="city").first()
    if city is None:
        sys.exit(
            "No scale data in this database: run `python manage.py seed_scale` first "
            "(add --flush to replace another city)."
        )
    counts = {
        "districts": OrgUnit.objects.filter(path__startswith=city.path).districts().count(),
        "communities": OrgUnit.objects.filter(path__startswith=city.path).communities().count(),
        "establishments": Establishment.objects.count(),
        "patrols": Patrol.objects.count(),
        "visits": Visit.objects.count(),
    }
    return city, counts


def people(city, clients: int) -> dict:
    """Who the clients are: inspectors of communities across the city, district officers, the city.

    The inspectors whose home page is measured and those who post visits work in different
    communities: the visits posted in one run would otherwise clear the due lists that the
    next run measures, and each run would measure a lighter home page than the last.
    """
    from orgs.management.commands.seed_scale import CITY_OFFICER
    from orgs.models import OrgUnit, Role, User
    from patrols.models import Establishment
    from patrols.services.records import checklists_for_district

    communities = list(OrgUnit.objects.filter(path__startswith=city.path).communities().order_by("path"))
    if len(communities) < 2 * clients:
        sys.exit(f"The city has {len(communities)} communities; {clients} clients need {2 * clients}.")
    spread = [i * len(communities) // clients for i in range(clients)]
    home = [communities[i] for i in spread]
    posting = [communities[i + 1] for i in spread]

    def team(community) -> list[User]:
        return list(User.objects.inspectors().filter(org_unit=community).order_by("username")[:2])

    inspectors = {}
    for community in posting:
        first, partner = team(community)
        lists = checklists_for_district(community.parent_id)
        shops = Establishment.objects.filter(community=community).open().order_by("pk")
        inspectors[first.username] = {
            "partner": partner.pk,
            "establishments": [(shop.pk, lists.get(shop.category, [])) for shop in shops],
        }
    officers = list(
        User.objects.filter(role=Role.DISTRICT_OFFICER, org_unit__path__startswith=city.path)
        .order_by("username")
        .values_list("username", flat=True)
    )
    return {
        "home_inspectors": [team(community)[0].username for community in home],
        "posting_inspectors": inspectors,
        "district_officers": officers,
        "city_officer": CITY_OFFICER,
    }


def phone_user(city) -> tuple[str, str]:
    """The inspector whose phone is measured: of the community with the fewest visits today, so
    that its record still lists shops to visit after the hour's steps (and earlier runs)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from orgs.management.commands.seed_scale import PASSWORD
    from orgs.models import OrgUnit, User

    today = Q(patrols__date=timezone.localdate())
    community = (
        OrgUnit.objects.filter(path__startswith=city.path)
        .communities()
        .annotate(done=Count("patrols__visits", filter=today))
        .order_by("done", "path")
        .first()
    )
    return User.objects.inspectors().filter(org_unit=community).order_by("username")[0].username, PASSWORD


def measure_http(base_url: str, who: dict, *, clients: int, seconds: float, only: set | None = None) -> dict:
    from bench import load
    from orgs.management.commands.seed_scale import PASSWORD

    usernames = [
        *who["home_inspectors"],
        *who["posting_inspectors"],
        *who["district_officers"],
        who["city_officer"],
    ]
    log(f"logging in {len(usernames)} users")
    with ThreadPoolExecutor(4) as pool:
        cookies = dict(
            zip(usernames, pool.map(lambda u: load.login(base_url, u, PASSWORD), usernames), strict=True)
        )

    def clients_of(names: list[str], state=lambda name: None) -> list[load.Client]:
        return [
            load.Client(base_url, cookies[names[i % len(names)]], state(names[i % len(names)]))
            for i in range(clients)
        ]

    officers = who["district_officers"]
    scenarios = {
        "floor": load.Scenario("floor", "GET /healthz/ (no login, no database)", load.get("/healthz/")),
        "inspector_home": load.Scenario("inspector_home", "GET / as inspectors", load.get("/")),
        "visit_post": load.Scenario(
            "visit_post", "POST /api/visits/ as inspectors", load.post_visit, expected_status=201
        ),
        "district_dashboard": load.Scenario(
            "district_dashboard",
            "GET /reports/dashboard/ as district officers",
            load.get("/reports/dashboard/"),
        ),
        "city_dashboard": load.Scenario(
            "city_dashboard", "GET /reports/dashboard/ as the city officer", load.get("/reports/dashboard/")
        ),
        "establishment_api": load.Scenario(
            "establishment_api",
            "GET /api/establishments/ as district officers",
            load.get("/api/establishments/"),
        ),
    }
    scenarios["floor"].clients = [load.Client(base_url, None) for _ in range(clients)]
    scenarios["inspector_home"].clients = clients_of(who["home_inspectors"])
    posting = who["posting_inspectors"]
    scenarios["visit_post"].clients = clients_of(list(posting), lambda name: dict(posting[name]))
    scenarios["district_dashboard"].clients = clients_of(officers)
    scenarios["city_dashboard"].clients = clients_of([who["city_officer"]])
    scenarios["establishment_api"].clients = clients_of(officers)

    results = {}
    # The floor is measured before and after the rest, and averaged: the machine is shared.
    chosen = [name for name in scenarios if name != "floor" and (not only or name in only)]
    order = ["floor", *chosen, "floor"]
    floors = []
    for name in order:
        log(f"load: {name} ({clients} clients, {seconds:.0f}s)")
        figures = load.run(scenarios[name], seconds=seconds).as_dict()
        figures["what"] = scenarios[name].description
        if name == "floor":
            floors.append(figures)
        else:
            results[name] = figures
    floor_rps = sum(f["rps"] for f in floors) / len(floors)
    results = {
        "floor": {**floors[0], "rps": round(floor_rps, 1), "rps_runs": [f["rps"] for f in floors]}
    } | results
    for name in ("district_dashboard", "city_dashboard", "visit_post"):
        if name in results:
            _target_p95(results[name], VISIT_P95_MS if name == "visit_post" else DASHBOARD_P95_MS)
            results[name]["floor_p95_ms"] = results["floor"]["p95_ms"]
            results[name]["ratio"] = round(results[name]["p95_ms"] / results["floor"]["p95_ms"], 1)
    for name in ("inspector_home", "establishment_api"):
        if name not in results:
            continue
        share = results[name]["rps"] / floor_rps if floor_rps else 0
        results[name].update(
            floor_rps=round(floor_rps, 1),
            ratio=round(share, 3),
            target=f"rps >= {THROUGHPUT_SHARE:.3f} x floor rps",
            **{"pass": share >= THROUGHPUT_SHARE and results[name]["errors"] == 0},
        )
    return results


def _target_p95(figures: dict, limit: float) -> None:
    figures["target"] = f"p95_ms <= {limit}"
    figures["pass"] = figures["p95_ms"] <= limit and figures["errors"] == 0


def measure_documents(city, period: dt.date, repeats: int) -> dict:
    from bench import documents
    from orgs.management.commands.seed_scale import CITY_OFFICER, district_officer_name
    from orgs.models import OrgUnit, User

    city_officer = User.objects.get(username=CITY_OFFICER)
    district_officer = User.objects.select_related("org_unit").get(username=district_officer_name(1))
    district = district_officer.org_unit
    community = OrgUnit.objects.filter(parent=district).communities().order_by("path").first()
    log("exports: community, district and city month")
    small = documents.export(district_officer, community, period, repeats)
    district_xlsx = documents.export(district_officer, district, period, repeats)
    city_xlsx = documents.export(city_officer, city, period, repeats)
    growth = documents.memory_growth(district_xlsx, city_xlsx)
    # Memory must not follow the rows: ten times the rows may not cost ten times the memory.
    flat = growth["peak_ratio"] is not None and growth["peak_ratio"] <= max(2.0, growth["rows_ratio"] / 5)
    log("pdf: district month")
    return {
        "xlsx_community_month": small,
        "xlsx_district_month": district_xlsx,
        "xlsx_city_month": city_xlsx,
        "xlsx_memory": {
            **growth,
            "target": "peak grows far less than rows (peak_ratio <= max(2, rows_ratio / 5))",
            "pass": flat,
        },
        "pdf_district_month": documents.pdf(district_officer, district, period, max(1, repeats // 2)),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The in-process figures use the cache production's workers share (bench.server gives the server
    # the same), not one process's memory: that keeps 300 entries, and a wide city's dashboards would
    # be counted again on every view. Set here, not on import: the tests import this module.
    if os.environ.get("REDIS_URL"):
        os.environ.setdefault("CACHE_URL", os.environ["REDIS_URL"])
    django.setup()
    from django.conf import settings
    from django.utils import timezone

    # As production runs: no log of every query's SQL growing in memory during the measures.
    settings.DEBUG = False

    from bench import hour, pages, phone, rollup, server
    from reporting import periods

    city, counts = check_database()
    today = timezone.localdate()
    period = periods.parse_period(args.month) if args.month else periods.previous_period(today)
    if period is None:
        sys.exit("--month must be YYYY-MM")
    result: dict = {"database": counts, "month": f"{period:%Y-%m}", "cores": os.cpu_count()}
    only = args.only or set(PARTS)
    result["loadavg_at_start"] = [round(x, 2) for x in os.getloadavg()]
    if "rollup" in only:
        log(f"roll-up of {period:%Y-%m}")
        result["rollup"] = rollup.measure(city, period, today, args.repeats)
    if "documents" in only:
        result["documents"] = measure_documents(city, period, args.repeats)
    if "pages" in only:
        log("pages: one request of each kind, in process")
        result["pages"] = pages.measure(city, max(args.repeats, 10))
    closed = set(CLOSED) if "closed" in only else only & set(CLOSED)
    if not args.skip_http and (closed or only & {"hour", "phone"}):
        log(f"starting gunicorn with {args.workers} workers")
        with server.Gunicorn(database_url=os.environ["DATABASE_URL"], workers=args.workers) as base_url:
            if "hour" in only:
                load = hour.prepare(city, base_url, log)
                result["hour"] = hour.find_highest(
                    load, args.factors, args.seconds, log, search=not args.no_search, warmup=args.warmup
                ) | {"model": hour.model_table(load)}
            if "phone" in only:
                log("phone: home page and visit form on slow 3G")
                result["phone"] = phone.measure(base_url, *phone_user(city))
            if closed:
                who = people(city, args.clients)
                result["closed_loop_lower_bound"] = measure_http(
                    base_url, who, clients=args.clients, seconds=20, only=closed
                )
        result["http_setup"] = {"workers": args.workers, "step_seconds": args.seconds}
    checks = {"rollup": result["rollup"]["pass"]} if "rollup" in result else {}
    checks |= {f"documents.{k}": v["pass"] for k, v in result.get("documents", {}).items() if "pass" in v}
    for step in result.get("hour", {}).get("steps", []):
        if step["factor"] in (1, 10):
            checks |= {f"hour.{step['factor']:g}x.{k}": v["pass"] for k, v in step["kinds"].items()}
            checks[f"hour.{step['factor']:g}x.rate"] = step["pass"]
    checks |= {f"phone.{k}": v["pass"] for k, v in result.get("phone", {}).items()}
    result["pass"] = checks
    result["all_pass"] = all(checks.values())
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["all_pass"] else 1


if __name__ == "__main__":
    sys.exit(main())
