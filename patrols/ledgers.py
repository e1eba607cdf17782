"""The patrol domain's ledgers (台账), by the contract of reporting.ledgers: columns and rows.

rows(user, unit, first, last): one row per record of `unit` and the units below it, dated first..last
inclusive (Asia/Shanghai), only records the user may see, fetched with a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import OrgUnit, User
from patrols.models import RapidTest

RAPID_TEST_LEDGER_COLUMNS = (
    gettext_lazy("Tested at"),
    gettext_lazy("Where tested"),
    gettext_lazy("Establishment"),
    gettext_lazy("Where the sample came from"),
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
    """The rapid tests of `unit` (a visit's in its community, a room's in its district), one query."""
    tests = (
        RapidTest.objects.visible_to(user)
        .within(unit)
        .tested_between(first, last)
        .select_related("community", "district", "establishment", "tested_by")
        .order_by("tested_at", "pk")
    )
    for test in tests.iterator(chunk_size=500):
        where = (
            _("%(district)s rapid-test room") % {"district": test.district.name}
            if test.in_room
            else test.community.name
        )
        yield (
            timezone.localtime(test.tested_at).replace(tzinfo=None),
            where,
            test.establishment.name if test.establishment else "",
            test.sample_source,
            test.sample,
            test.item,
            test.get_method_display(),
            test.get_result_display(),
            test.value,
            test.value_unit,
            str(test.tested_by),
            _follow_up(test),
        )
