"""What one request of each kind costs, in the bench's own process: the median over different users.

No server, no other load: the figure moves only with the code and the data, which is what the
history check (three years against one, `python -m bench.compare --limit 1.2`) needs. Each kind
is asked `repeats` times, each time as another person of its role (spread across the city), after
one request of each person to warm the connection.
"""

from __future__ import annotations

import statistics
import time

from django.test import Client
from django.test.utils import setup_test_environment


def measure(city, repeats: int) -> dict:
    from orgs.models import Role, User

    setup_test_environment()  # lets the test client's host in with DEBUG off
    people = User.objects.filter(org_unit__path__startswith=city.path, is_active=True).order_by("username")

    def some(role: str) -> list[User]:
        chosen = list(people.filter(role=role))
        step = max(1, len(chosen) // repeats)
        return (chosen[::step] * repeats)[:repeats]

    kinds = {
        "inspector_home": (Role.INSPECTOR, "/"),
        "registry_api": (Role.INSPECTOR, "/api/establishments/"),
        "head_review": (Role.COMMUNITY_HEAD, "/patrols/review/"),
        "district_dashboard": (Role.DISTRICT_OFFICER, "/reports/dashboard/"),
        "city_dashboard": (Role.CITY_OFFICER, "/reports/dashboard/"),
    }
    result = {}
    for name, (role, path) in kinds.items():
        clients = []
        for user in some(role):
            client = Client()
            client.force_login(user)
            client.get(path)
            clients.append(client)
        times = []
        for client in clients:
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {path} answered {response.status_code}")
        result[name] = {"path": path, "requests": len(times), "median_ms": round(statistics.median(times), 1)}
    return result
