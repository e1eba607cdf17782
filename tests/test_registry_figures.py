"""The registry figures every home page shows, checked against counts made by hand."""

import datetime as dt

import pytest

from patrols.models import FOOD_SERVICE_CATEGORIES, Category, Establishment, Status
from patrols.selectors import registry_figures
from tests.factories import EstablishmentFactory

ON = dt.date(2026, 11, 23)


def hand_counted(establishments, unit_of) -> dict[int, dict[str, int]]:
    figures: dict[int, dict[str, int]] = {}
    for e in establishments:
        if e.status != Status.OPEN:
            continue
        row = figures.setdefault(
            unit_of(e), dict.fromkeys(["open", "overdue", "due", "food_service", "food_graded"], 0)
        )
        row["open"] += 1
        row["overdue"] += e.next_visit_due < ON
        row["due"] += ON <= e.next_visit_due <= ON + dt.timedelta(days=7)
        row["food_service"] += e.category in FOOD_SERVICE_CATEGORIES
        row["food_graded"] += e.category in FOOD_SERVICE_CATEGORIES and e.food_grade != ""
    return figures


@pytest.fixture
def registry(community_a, community_b, community_c):
    """Establishments of every state in three communities of two districts."""
    shapes = [
        # (community, category, status, food grade, days from ON to the next visit)
        (community_a, Category.FOOD_SERVICE, Status.OPEN, "A", -3),
        (community_a, Category.FOOD_SERVICE, Status.OPEN, "", 0),
        (community_a, Category.SCHOOL_CANTEEN, Status.OPEN, "B", 7),
        (community_a, Category.PHARMACY, Status.OPEN, "", 8),
        (community_a, Category.FOOD_SERVICE, Status.CLOSED, "A", -30),
        (community_b, Category.WORKPLACE_CANTEEN, Status.OPEN, "", -1),
        (community_b, Category.FOOD_RETAIL, Status.SUSPENDED, "", -1),
        (community_b, Category.FOOD_RETAIL, Status.OPEN, "", 40),
        (community_c, Category.FOOD_SERVICE, Status.OPEN, "C", 2),
    ]
    for community, category, status, grade, due_in in shapes:
        shop = EstablishmentFactory(community=community, category=category, status=status, food_grade=grade)
        Establishment.objects.filter(pk=shop.pk).update(next_visit_due=ON + dt.timedelta(days=due_in))
    return list(Establishment.objects.select_related("community"))


def test_figures_per_community_match_hand_counts(registry, community_a, community_b, community_c):
    figures = registry_figures([community_a, community_b, community_c], by="community", on=ON)

    assert figures == {
        pk: {"community": pk, **row} for pk, row in hand_counted(registry, lambda e: e.community_id).items()
    }
    assert figures[community_a.pk] == {
        "community": community_a.pk,
        "open": 4,
        "overdue": 1,
        "due": 2,
        "food_service": 3,
        "food_graded": 2,
    }


def test_figures_per_district_match_hand_counts(registry, district_a, district_c):
    figures = registry_figures([district_a, district_c], by="community__parent", on=ON)

    expected = hand_counted(registry, lambda e: e.community.parent_id)
    assert figures == {pk: {"community__parent": pk, **row} for pk, row in expected.items()}
    assert figures[district_a.pk]["open"] == 6


def test_only_the_units_asked_for_are_counted(registry, community_b, community_c):
    assert set(registry_figures([community_b], by="community", on=ON)) == {community_b.pk}
    assert registry_figures([], by="community", on=ON) == {}
