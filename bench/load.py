"""Concurrent clients against the served app: p50/p95 latency and requests per second per endpoint.

Each client is a thread with its own logged-in session that sends one request
after another for a fixed time; a scenario's figures come from all its
clients together.
"""

from __future__ import annotations

import statistics
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

TIMEOUT = 60


def login(base_url: str, username: str, password: str) -> dict[str, str]:
    """Log in through the real login form; returns the session's cookies."""
    session = requests.Session()
    session.get(f"{base_url}/accounts/login/", timeout=TIMEOUT)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base_url}/accounts/login/"},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    if response.status_code != 302:
        raise RuntimeError(f"login of {username} failed ({response.status_code})")
    return session.cookies.get_dict()


class Client:
    """One simulated user: a session with its cookies and whatever state its scenario keeps."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None, state: dict | None = None) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        if cookies:
            self.session.cookies.update(cookies)
            self.session.headers["X-CSRFToken"] = cookies.get("csrftoken", "")
            self.session.headers["Referer"] = f"{base_url}/"
        self.state = state or {}

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=TIMEOUT)

    def post(self, path: str, body: dict) -> requests.Response:
        return self.session.post(self.base_url + path, json=body, timeout=TIMEOUT)


@dataclass
class Scenario:
    name: str
    description: str
    # Sends one request and returns it; time spent preparing goes in client.state["untimed"].
    send: Callable[[Client], requests.Response]
    expected_status: int = 200
    clients: list[Client] = field(default_factory=list)


@dataclass
class Figures:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    rps: float

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "p50_ms": round(self.p50_ms, 1),
            "p95_ms": round(self.p95_ms, 1),
            "rps": round(self.rps, 1),
        }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(scenario: Scenario, *, seconds: float, warmup: int = 2) -> Figures:
    """Every client sends `warmup` requests first (not counted), then all send for `seconds`."""
    for client in scenario.clients:
        for _ in range(warmup):
            scenario.send(client)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_gate = threading.Barrier(len(scenario.clients) + 1)

    def work(client: Client) -> None:
        mine, failed = [], 0
        start_gate.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = scenario.send(client)
            elapsed = time.perf_counter() - started - client.state.pop("untimed", 0.0)
            if response.status_code != scenario.expected_status:
                failed += 1
            mine.append(elapsed * 1000)
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=work, args=(client,)) for client in scenario.clients]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return Figures(
        requests=len(latencies),
        errors=errors[0],
        seconds=wall,
        p50_ms=statistics.median(latencies) if latencies else float("nan"),
        p95_ms=percentile(latencies, 0.95),
        rps=len(latencies) / wall,
    )


# What the scenarios send


def get(path: str) -> Callable[[Client], requests.Response]:
    return lambda client: client.get(path)


def post_visit(client: Client) -> requests.Response:
    """Record the next visit of the client's patrol; start a new patrol (untimed) when every shop is done.

    Each visit carries a new client id, as a phone would; about one in twelve finds a problem.
    """
    state = client.state
    if state.get("patrol") is None or state["next"] >= len(state["establishments"]):
        started = time.perf_counter()
        patrol_id = str(uuid.uuid4())
        response = client.post("/api/patrols/", {"client_id": patrol_id, "team": [state["partner"]]})
        if response.status_code != 201:
            raise RuntimeError(f"could not start a patrol: {response.status_code} {response.text[:200]}")
        state.update(patrol=patrol_id, next=0)
        state["untimed"] = time.perf_counter() - started
    establishment_id, items = state["establishments"][state["next"]]
    state["next"] += 1
    state["sent"] = state.get("sent", 0) + 1
    problem = state["sent"] % 12 == 0
    return client.post("/api/visits/", visit_body(state["patrol"], establishment_id, items, problem=problem))


def visit_body(patrol: str, establishment: int, items: list[str], *, problem: bool) -> dict:
    """A visit as a phone sends it: a new client id, the checklist, and with a problem a finding."""
    body = {
        "client_id": str(uuid.uuid4()),
        "patrol": patrol,
        "establishment": establishment,
        "result": "issues" if problem else "compliant",
        "checklist": [{"item": item, "ok": not (problem and n == 0)} for n, item in enumerate(items)],
    }
    if problem:
        body["findings"] = "冷藏柜温度偏高"
        body["finding_items"] = [
            {"kind": "safety_risk", "category": "storage", "description": "冷藏柜温度偏高"}
        ]
    return body
