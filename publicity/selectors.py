"""Publicity figures and what is due, for many communities in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum

from orgs.models import OrgUnit
from publicity import rules
from publicity.models import (
    Activity,
    BoardKind,
    BoardUpdate,
    BoxCollection,
    BrochureDrop,
    Campaign,
    TrainingKind,
    TrainingSession,
)

# The publicity figures of a month, as they appear in the monthly report; all add up across units.
PUBLICITY_KEYS = (
    "bulletin_updates",
    "bulletin_met",
    "slogan_updates",
    "slogan_met",
    "activities",
    "activity_attendance",
    "brochure_households",
    "brochure_copies",
    "medicine_packs",
    "trainings",
    "training_attendance",
    "training_hours",
    "drills",
)


def board_states(communities: Iterable[OrgUnit], *, today: dt.date) -> dict[int, dict[str, dict]]:
    """Per community id and board kind: the last update, its state (done/due/overdue) and next due day."""
    communities = list(communities)
    last = {
        (row["community_id"], row["kind"]): row["last"]
        for row in BoardUpdate.objects.filter(community__in=communities)
        .values("community_id", "kind")
        .annotate(last=Max("date"))
    }
    result = {}
    for community in communities:
        result[community.pk] = {}
        for kind in BoardKind.values:
            last_update = last.get((community.pk, kind))
            result[community.pk][kind] = {
                "last": last_update,
                "state": rules.board_state(
                    kind, last_update=last_update, opened_on=community.opened_on, today=today
                ),
                "due": rules.next_due(
                    kind, last_update=last_update, opened_on=community.opened_on, today=today
                ),
            }
    return result


def whole_hours(hours: Decimal | None) -> int:
    """A month's session hours as a whole number, half an hour rounded up (figures are whole numbers)."""
    return int((hours or Decimal(0)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _sums(queryset, field: str, sums: dict[str, str], count_as: str) -> dict[int, dict[str, int]]:
    rows = queryset.values(field).annotate(
        **{count_as: Count("pk")}, **{name: Sum(column) for name, column in sums.items()}
    )
    return {row[field]: row for row in rows}


def publicity_figures(
    community_ids: Iterable[int], period: dt.date, last_day: dt.date
) -> dict[int, dict[str, int]]:
    """Per community id: the month's publicity work, and whether the board rules were met.

    bulletin_met is 1 when the column was updated in the month; slogan_met is 1
    when the slogans were updated in the quarter up to the month's end, so at a
    quarter's last month it says whether the quarterly rule was kept.
    """
    ids = list(community_ids)
    quarter_start = rules.period_start(BoardKind.SLOGAN, period)
    boards = {
        row["community_id"]: row
        for row in BoardUpdate.objects.filter(community_id__in=ids, date__range=(quarter_start, last_day))
        .values("community_id")
        .annotate(
            bulletin=Count("pk", filter=Q(kind=BoardKind.BULLETIN, date__gte=period)),
            slogan_month=Count("pk", filter=Q(kind=BoardKind.SLOGAN, date__gte=period)),
            slogan_quarter=Count("pk", filter=Q(kind=BoardKind.SLOGAN)),
        )
    }
    in_month = {"community_id__in": ids, "date__range": (period, last_day)}
    activities = _sums(Activity.objects.filter(**in_month), "community_id", {"people": "attendance"}, "n")
    brochures = _sums(
        BrochureDrop.objects.filter(**in_month),
        "community_id",
        {"households": "households", "copies": "copies"},
        "n",
    )
    trainings = _sums(
        TrainingSession.objects.held().filter(**in_month),
        "community_id",
        {"people": "attendance", "hours": "hours"},
        "n",
    )
    drills = _sums(
        TrainingSession.objects.filter(kind=TrainingKind.DRILL, **in_month), "community_id", {}, "n"
    )
    packs = _sums(
        BoxCollection.objects.filter(box__community_id__in=ids, date__range=(period, last_day)),
        "box__community_id",
        {"packs": "items"},
        "n",
    )
    result = {}
    for cid in ids:
        board = boards.get(cid, {})
        result[cid] = {
            "bulletin_updates": board.get("bulletin", 0),
            "bulletin_met": int(board.get("bulletin", 0) > 0),
            "slogan_updates": board.get("slogan_month", 0),
            "slogan_met": int(board.get("slogan_quarter", 0) > 0),
            "activities": activities.get(cid, {}).get("n", 0),
            "activity_attendance": activities.get(cid, {}).get("people") or 0,
            "brochure_households": brochures.get(cid, {}).get("households") or 0,
            "brochure_copies": brochures.get(cid, {}).get("copies") or 0,
            "medicine_packs": packs.get(cid, {}).get("packs") or 0,
            "trainings": trainings.get(cid, {}).get("n", 0),
            "training_attendance": trainings.get(cid, {}).get("people") or 0,
            "training_hours": whole_hours(trainings.get(cid, {}).get("hours")),
            "drills": drills.get(cid, {}).get("n", 0),
        }
    return result


def missed_campaigns(communities: Iterable[OrgUnit], *, today: dt.date) -> dict[int, list[Campaign]]:
    """Per community id, this year's campaigns that have ended for which it recorded no activity.

    The one rule of a missed campaign day (3·15, 12·4, the weeks and months): the campaign's period
    is over (it ended before `today`), it was the community's to keep (city-wide, or of its
    district), the community was open by its end, and no publicity activity of the community names
    the campaign. Two queries for any number of communities.
    """
    communities = list(communities)
    result: dict[int, list[Campaign]] = {c.pk: [] for c in communities}
    if not communities:
        return result
    districts = {c.parent_id for c in communities}
    campaigns = list(
        Campaign.objects.filter(year=today.year, ends_on__lt=today)
        .filter(Q(district__isnull=True) | Q(district_id__in=districts))
        .order_by("starts_on", "pk")
    )
    if not campaigns:
        return result
    done = set(
        Activity.objects.filter(campaign__in=campaigns, community_id__in=list(result))
        .values_list("community_id", "campaign_id")
        .distinct()
    )
    for community in communities:
        result[community.pk] = [
            campaign
            for campaign in campaigns
            if campaign.district_id in (None, community.parent_id)
            and (community.opened_on is None or community.opened_on <= campaign.ends_on)
            and (community.pk, campaign.pk) not in done
        ]
    return result
