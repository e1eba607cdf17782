"""Which establishments are due or overdue for a visit (§3)."""

from __future__ import annotations

import datetime as dt

import pytest

from patrols.models import Establishment
from patrols.schedule import add_months, next_visit_due, visit_state
from tests.factories import EstablishmentFactory

TODAY = dt.date(2026, 11, 23)


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2027, 11, 30), 3) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 8, 15), 6) == dt.date(2027, 2, 15)


@pytest.mark.parametrize(
    ("risk", "months"),
    [("A", 1), ("B", 3), ("C", 6)],
)
def test_interval_follows_risk_class(risk, months):
    last = dt.date(2026, 5, 10)
    assert next_visit_due(last_visited=last, registered=dt.date(2020, 1, 1), risk_class=risk) == add_months(
        last, months
    )


def test_tightened_interval_and_black_list_shorten_the_wait():
    last = dt.date(2026, 5, 10)
    registered = dt.date(2020, 1, 1)
    assert next_visit_due(
        last_visited=last, registered=registered, risk_class="C", tightened_months=2
    ) == dt.date(2026, 7, 10)
    assert next_visit_due(
        last_visited=last, registered=registered, risk_class="A", black_listed=True
    ) == dt.date(2026, 5, 25)


def test_never_visited_counts_from_registration():
    assert next_visit_due(last_visited=None, registered=dt.date(2026, 10, 1), risk_class="A") == dt.date(
        2026, 11, 1
    )


def test_visit_state_boundaries():
    assert visit_state(TODAY - dt.timedelta(days=1), TODAY) == "overdue"
    assert visit_state(TODAY, TODAY) == "due"
    assert visit_state(TODAY + dt.timedelta(days=7), TODAY) == "due"
    assert visit_state(TODAY + dt.timedelta(days=8), TODAY) == "ok"
    assert visit_state(None, TODAY) == ""


@pytest.mark.django_db
def test_queryset_filters_match_the_rule(community_a):
    overdue = EstablishmentFactory(
        community=community_a, risk_class="A", last_visited_on=TODAY - dt.timedelta(days=40)
    )
    due = EstablishmentFactory(
        community=community_a, risk_class="A", last_visited_on=TODAY - dt.timedelta(days=27)
    )
    fine = EstablishmentFactory(
        community=community_a, risk_class="C", last_visited_on=TODAY - dt.timedelta(days=30)
    )
    closed = EstablishmentFactory(
        community=community_a, risk_class="A", status="closed", last_visited_on=TODAY - dt.timedelta(days=90)
    )
    shops = Establishment.objects.all()
    assert set(shops.overdue(on=TODAY)) == {overdue}
    assert set(shops.due(on=TODAY)) == {overdue, due}
    assert set(shops.in_visit_state("due", on=TODAY)) == {due}
    assert set(shops.in_visit_state("ok", on=TODAY)) == {fine}
    assert closed.next_visit_due is None
    assert overdue.visit_state(TODAY) == "overdue"
