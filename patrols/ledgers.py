"""The patrol domain's ledgers (台账), by the contract of reporting.ledgers: columns and rows.

rows(user, unit, first, last): one row per record of `unit` and the units below it, dated first..last
inclusive (Asia/Shanghai), only records the user may see, fetched with a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import OrgUnit, User
from patrols.models import RapidTest, counted_q

# The ledger's name, for the registry (reporting.ledgers.Ledger's label).
RAPID_TEST_LEDGER_LABEL = gettext_lazy("Rapid-test ledger")

RAPID_TEST_LEDGER_COLUMNS = (
    gettext_lazy("District"),
    gettext_lazy("Where tested"),
    gettext_lazy("Establishment"),
    gettext_lazy("Where the sample came from"),
    gettext_lazy("Tested at"),
    gettext_lazy("Sample"),
    gettext_lazy("Item tested"),
    gettext_lazy("Method"),
    gettext_lazy("Result"),
    gettext_lazy("Measured value"),
    gettext_lazy("Unit of the value"),
    gettext_lazy("Tested by"),
    gettext_lazy("Followed up by"),
)


def _follow_up(test: RapidTest) -> str:
    if test.finding_id:
        return _("Finding #%(id)d") % {"id": test.finding_id}
    if test.lead_id:
        return _("Lead #%(id)d") % {"id": test.lead_id}
    return ""


def rapid_test_ledger_rows(user: User, unit: OrgUnit, first: dt.date, last: dt.date) -> Iterator[Sequence]:
    """The rapid tests of `unit`, one query: a visit's in its community, once its record is submitted
    (as the month's figure counts them), a test room's in its district.

    Dated by when they were tested (Asia/Shanghai).
    """
    tests = (
        RapidTest.objects.visible_to(user)
        .within(unit)
        .filter(Q(visit__isnull=True) | counted_q("visit__patrol__"))
        .tested_between(first, last)
        .select_related("community__parent", "district", "establishment", "tested_by")
        .order_by("tested_at", "pk")
    )
    for test in tests.iterator(chunk_size=500):
        if test.in_room:
            district, where = test.district.name, _("Rapid-test room")
        else:
            district, where = (
                test.community.parent.name if test.community.parent_id else "",
                test.community.name,
            )
        yield (
            district,
            where,
            test.establishment.name if test.establishment else "",
            test.sample_source,
            timezone.localtime(test.tested_at).replace(tzinfo=None),
            test.sample,
            test.item,
            test.get_method_display(),
            test.get_result_display(),
            test.value,
            test.value_unit,
            str(test.tested_by),
            _follow_up(test),
        )
