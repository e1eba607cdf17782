"""The city's busiest hour, driven open-loop: requests arrive at a fixed rate, whatever the server does.

The load model (README, Benchmarks) says who works in the busiest hour of a
patrol morning and what each opens and posts, per person. The bench counts the
people of each role in the database and sends their requests at that rate
times a factor (1× is the modelled hour, 10× ten of them at once), each kind
as a Poisson stream, every request from a different user of the right role
drawn across all communities. Writers and readers run together.

A request's latency runs from the moment it was due, not from the moment a
free client thread sent it: a server that falls behind makes the next requests
late, and that lateness is counted (no coordinated omission).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from bench.load import visit_body

TIMEOUT = 60
# A patrol morning: three hours, of which the busiest holds this share of the work.
MORNING_HOURS = 3
BUSIEST_HOUR_SHARE = 0.4
# Kinds the model sends rarely (a city officer's dashboard) are sent at least this often, so
# that their percentiles mean something; this adds a little to the modelled load.
MIN_PER_SECOND = 1.0
PAGE_P95_MS = 300
VISIT_P95_MS = 200
# A step is sustained when its kinds meet their targets and it served this share of what was offered.
ACHIEVED_SHARE = 0.95


@dataclass(frozen=True)
class Kind:
    """One kind of request: who sends it, how often per person in the busiest hour, its target."""

    name: str
    what: str
    role: str  # a key of Load.users
    per_person_hour: float
    target_p95_ms: float = PAGE_P95_MS


def per_hour(per_morning: float) -> float:
    return per_morning * BUSIEST_HOUR_SHARE


VISITS_PER_MORNING = 5
# What each person does; the README's load model is this table in words.
MODEL = (
    Kind("patrol_start", "POST /api/patrols/ (start or join the day's record)", "inspector", per_hour(1)),
    Kind("registry_sync", "GET /api/establishments/ (the phone's registry)", "inspector", per_hour(1)),
    Kind("inspector_home", "GET / (due list, before each visit)", "inspector", per_hour(VISITS_PER_MORNING)),
    Kind("visit_form", "GET the visit form of a shop", "inspector", per_hour(VISITS_PER_MORNING)),
    Kind(
        "visit_post",
        "POST /api/visits/ (one in twelve with a finding)",
        "inspector",
        per_hour(VISITS_PER_MORNING),
        VISIT_P95_MS,
    ),
    Kind("head_review", "GET /patrols/review/ as community heads", "head", per_hour(3)),
    Kind("district_dashboard", "GET /reports/dashboard/ as district officers", "district", 4),
    Kind("lead_list", "GET /leads/ as district officers", "district", 2),
    Kind("city_dashboard", "GET /reports/dashboard/ as city officers", "city", 4),
)


@dataclass
class Community:
    patrol: str  # the client id of today's daily record
    patrol_pk: int
    shops: list[tuple[int, list[str]]]  # not yet visited today: (establishment, checklist items)


@dataclass
class Load:
    """The people and places the requests are drawn from (see bench.__main__.hour_people)."""

    base_url: str
    users: dict[str, list[tuple[str, dict[str, str]]]]  # role -> [(username, cookies)]
    community_of: dict[str, int]  # inspector -> community pk
    partner_of: dict[str, int]  # inspector -> a team-mate's pk (a start names the team)
    communities: dict[int, Community]

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._turns = {role: self._cycle(people) for role, people in self.users.items()}
        self._local = threading.local()
        self._sent = 0

    @staticmethod
    def _cycle(people: list):
        order = list(people)
        random.shuffle(order)
        return itertools.cycle(order)

    def next_user(self, role: str) -> tuple[str, dict[str, str]]:
        with self._lock:
            return next(self._turns[role])

    def next_shop(self, *, take: bool) -> tuple[str, dict[str, str], Community, tuple[int, list[str]]]:
        """An inspector and a shop of their community not visited yet today (taken when posting)."""
        with self._lock:
            for _ in range(len(self.users["inspector"])):
                username, cookies = next(self._turns["inspector"])
                community = self.communities[self.community_of[username]]
                if community.shops:
                    shop = community.shops.pop() if take else random.choice(community.shops)
                    return username, cookies, community, shop
        raise RuntimeError("every shop of the city has been visited today: run the bench on another day")

    def send(self, method: str, path: str, cookies: dict[str, str], body: dict | None = None):
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        session.cookies.clear()  # each request is its own user's
        headers = {"X-CSRFToken": cookies["csrftoken"], "Referer": f"{self.base_url}/"}
        return session.request(
            method, self.base_url + path, json=body, cookies=cookies, headers=headers, timeout=TIMEOUT
        )

    def visit_body(self, community: Community, shop: tuple[int, list[str]]) -> dict:
        with self._lock:
            self._sent += 1
            problem = self._sent % 12 == 0
        establishment, items = shop
        return visit_body(community.patrol, establishment, items, problem=problem)


def request_of(kind: str) -> Callable[[Load], requests.Response]:
    """What one request of `kind` sends, as a function of the load it is drawn from."""

    def get(role: str, path: str) -> Callable[[Load], requests.Response]:
        return lambda load: load.send("GET", path, load.next_user(role)[1])

    def patrol_start(load: Load) -> requests.Response:
        username, cookies = load.next_user("inspector")
        body = {"client_id": str(uuid.uuid4()), "team": [load.partner_of[username]]}
        return load.send("POST", "/api/patrols/", cookies, body)

    def visit_form(load: Load) -> requests.Response:
        _, cookies, community, (shop, _items) = load.next_shop(take=False)
        return load.send("GET", f"/patrols/{community.patrol_pk}/visits/new/{shop}/", cookies)

    def visit_post(load: Load) -> requests.Response:
        _, cookies, community, shop = load.next_shop(take=True)
        return load.send("POST", "/api/visits/", cookies, load.visit_body(community, shop))

    return {
        "patrol_start": patrol_start,
        "registry_sync": get("inspector", "/api/establishments/"),
        "inspector_home": get("inspector", "/"),
        "visit_form": visit_form,
        "visit_post": visit_post,
        "head_review": get("head", "/patrols/review/"),
        "district_dashboard": get("district", "/reports/dashboard/"),
        "lead_list": get("district", "/leads/"),
        "city_dashboard": get("city", "/reports/dashboard/"),
    }[kind]


EXPECTED = {"patrol_start": {200, 201}, "visit_post": {201}}


def rates(load: Load, factor: float, minimum: float = MIN_PER_SECOND) -> dict[str, dict]:
    """Per kind: the modelled rate (per second) at `factor` and the rate sent (never below the minimum)."""
    out = {}
    for kind in MODEL:
        modelled = len(load.users[kind.role]) * kind.per_person_hour * factor / 3600
        out[kind.name] = {"modelled_per_s": modelled, "sent_per_s": max(modelled, minimum)}
    return out


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_step(
    load: Load, factor: float, seconds: float, *, threads: int = 256, minimum: float = MIN_PER_SECOND
) -> dict:
    """Send the busiest hour × `factor` for `seconds`; figures per kind and for the whole step."""
    step_rates = rates(load, factor, minimum)
    schedule = []
    for name, rate in step_rates.items():
        at = random.expovariate(rate["sent_per_s"])
        while at < seconds:
            schedule.append((at, name))
            at += random.expovariate(rate["sent_per_s"])
    schedule.sort()
    senders = {name: request_of(name) for name in step_rates}
    results: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, list[str]] = defaultdict(list)
    lock = threading.Lock()
    finished = [0.0]

    def fire(name: str, due: float) -> None:
        try:
            response = senders[name](load)
            ok = response.status_code in EXPECTED.get(name, {200})
            problem = None if ok else f"{response.status_code} {response.text[:120]}"
        except requests.RequestException as error:
            problem = f"{type(error).__name__}: {error}"[:160]
        done = time.perf_counter()
        with lock:
            results[name].append((done - due) * 1000)
            finished[0] = max(finished[0], done)
            if problem:
                errors[name].append(problem)

    load_before = _loadavg()
    with ThreadPoolExecutor(threads) as pool:
        start = time.perf_counter() + 0.2
        for at, name in schedule:
            delay = start + at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(fire, name, start + at)
    wall = max(finished[0] - start, seconds)
    kinds = {}
    for kind in MODEL:
        latencies = results[kind.name]
        figures = {
            "what": kind.what,
            "modelled_per_s": round(step_rates[kind.name]["modelled_per_s"], 3),
            "sent_per_s": round(step_rates[kind.name]["sent_per_s"], 2),
            "requests": len(latencies),
            "errors": len(errors[kind.name]),
            "p50_ms": round(percentile(latencies, 0.5), 1),
            "p95_ms": round(percentile(latencies, 0.95), 1),
            "p99_ms": round(percentile(latencies, 0.99), 1),
            "target": f"p95_ms <= {kind.target_p95_ms}, no error",
        }
        met = figures["p95_ms"] <= kind.target_p95_ms
        figures["pass"] = bool(latencies) and not errors[kind.name] and met
        if errors[kind.name]:
            figures["first_error"] = errors[kind.name][0]
        kinds[kind.name] = figures
    offered = len(schedule) / seconds
    achieved = sum(len(v) for v in results.values()) / wall
    return {
        "factor": factor,
        "seconds": seconds,
        "offered_per_s": round(offered, 1),
        "achieved_per_s": round(achieved, 1),
        "loadavg_before": load_before,
        "loadavg_after": _loadavg(),
        "kinds": kinds,
        "pass": all(k["pass"] for k in kinds.values()) and achieved >= ACHIEVED_SHARE * offered,
    }


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def find_highest(
    load: Load,
    factors: list[float],
    seconds: float,
    log: Callable[[str], None],
    *,
    search: bool = True,
    warmup: float = 0,
) -> dict:
    """Run the given factors; then, unless told not to, raise the factor until a step fails and
    halve the gap once between the last step that held and the first that did not."""
    steps = []
    if warmup:
        # Not reported: the database's pages of this city are read into memory first, so that the
        # first step does not measure the disk (a run after another database shows every kind slow).
        log(f"warming up: hour × 1 for {warmup:g} s")
        run_step(load, 1, warmup)

    def step(factor: float) -> dict:
        log(f"hour × {factor:g}: {sum(r['sent_per_s'] for r in rates(load, factor).values()):.1f} requests/s")
        result = run_step(load, factor, seconds)
        verdict = "holds" if result["pass"] else "MISSES"
        log(f"  achieved {result['achieved_per_s']}/s, {verdict}; p95 ms: {_brief(result)}")
        steps.append(result)
        return result

    for factor in factors:
        step(factor)
    held = [s["factor"] for s in steps if s["pass"]]
    if search and steps and steps[-1]["pass"]:
        factor = steps[-1]["factor"]
        while True:
            factor *= 2
            if not step(factor)["pass"]:
                break
            held.append(factor)
        step((factor + factor / 2) / 2)
        if steps[-1]["pass"]:
            held.append(steps[-1]["factor"])
    highest = max(held, default=None)
    return {"steps": steps, "highest_sustained_factor": highest}


def _brief(result: dict) -> str:
    kinds = result["kinds"].items()
    return ", ".join(f"{name} {k['p95_ms']:.0f}" + ("" if k["pass"] else "!") for name, k in kinds)


def prepare(city, base_url: str, log: Callable[[str], None], *, threads: int = 4) -> Load:
    """Sessions for every person of the city, and today's daily record started in every community.

    Sessions are written the way Django's login writes them (the session store's model), in bulk:
    logging 2,000 people in through the form would spend minutes hashing passwords. Each community's
    first inspector starts today's record (through the API) with the others as its team, so that any
    of them may record a visit; the shops already visited today are left out.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from orgs.models import Role, User
    from patrols.models import Establishment, Patrol, PatrolKind, Visit
    from patrols.services.records import checklists_for_district

    people = (
        User.objects.filter(org_unit__path__startswith=city.path, is_active=True)
        .select_related("org_unit")
        .order_by("username")
    )
    roles = {
        Role.INSPECTOR: "inspector",
        Role.COMMUNITY_HEAD: "head",
        Role.DISTRICT_OFFICER: "district",
        Role.CITY_OFFICER: "city",
    }
    expires = timezone.now() + dt.timedelta(days=1)
    store = SessionStore()
    rows, users = [], defaultdict(list)
    community_of, teams = {}, defaultdict(list)
    for user in people.filter(role__in=roles):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(store.model(session_key=key, session_data=store.encode(data), expire_date=expires))
        cookies = {settings.SESSION_COOKIE_NAME: key, settings.CSRF_COOKIE_NAME: get_random_string(32)}
        users[roles[user.role]].append((user.username, cookies))
        if user.role == Role.INSPECTOR:
            community_of[user.username] = user.org_unit_id
            teams[user.org_unit_id].append(user)
    store.model.objects.bulk_create(rows, batch_size=2000)
    log(f"sessions for {len(rows)} people")
    partner_of = {
        user.username: team[(n + 1) % len(team)].pk for team in teams.values() for n, user in enumerate(team)
    }
    load = Load(base_url, dict(users), community_of, partner_of, {})
    cookies_of = dict(itertools.chain.from_iterable(users.values()))

    today = timezone.localdate()

    def start(team: list) -> None:
        first, *others = team
        body = {"client_id": str(uuid.uuid4()), "team": [user.pk for user in others]}
        response = load.send("POST", "/api/patrols/", cookies_of[first.username], body)
        if response.status_code not in (200, 201):
            answer = f"{response.status_code} {response.text[:200]}"
            raise RuntimeError(f"could not start today's record: {answer}")

    with ThreadPoolExecutor(threads) as pool:
        # Every community, even one whose record was started earlier today (by the phone's bench,
        # say): starting it again joins the whole team, whose visits would otherwise be refused.
        list(pool.map(start, teams.values()))
    records = {
        community: (str(client_id), pk)
        for community, client_id, pk in Patrol.objects.filter(
            date=today, kind=PatrolKind.DAILY, community__in=teams
        ).values_list("community_id", "client_id", "pk")
    }
    visited = set(
        Visit.objects.filter(patrol__pk__in=[pk for _, pk in records.values()]).values_list(
            "establishment_id", flat=True
        )
    )
    lists = {}
    shops = defaultdict(list)
    for shop in Establishment.objects.filter(community__in=teams).open().select_related("community"):
        if shop.pk in visited:
            continue
        district = shop.community.parent_id
        if district not in lists:
            lists[district] = checklists_for_district(district)
        shops[shop.community_id].append((shop.pk, lists[district].get(shop.category, [])))
    for community, (client_id, pk) in records.items():
        random.shuffle(shops[community])
        load.communities[community] = Community(client_id, pk, shops[community])
    log(f"today's record open in {len(records)} communities, {sum(map(len, shops.values()))} shops to visit")
    return load


def model_table(load: Load) -> list[dict]:
    """The load model as this city sizes it: per kind, who sends it and how often at 1×."""
    return [
        {
            "kind": kind.name,
            "what": kind.what,
            "people": len(load.users[kind.role]),
            "role": kind.role,
            "per_person_in_the_hour": kind.per_person_hour,
            "per_hour_1x": round(len(load.users[kind.role]) * kind.per_person_hour),
            "target_p95_ms": kind.target_p95_ms,
        }
        for kind in MODEL
    ]
