from __future__ import annotations

from collections import Counter

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from orgs.models import OrgUnit, OrgUnitKind, Role
from orgs.selectors import team_warnings
from orgs.tokens import api_tokens_revoke_all
from patrols.governance import office_district
from patrols.models import Establishment, GradingTarget
from patrols.selectors import grading_coverage, grading_state, grading_status, registry_figures
from publicity.selectors import missed_campaigns
from reporting.selectors import own_report_status

# How many due establishments the community home page lists.
DUE_LIST_LENGTH = 10


@login_required
def me(request):
    """我的: who the user is, every page of their role, the password and logging out (the phone's menu)."""
    return render(request, "orgs/me.html")


@login_required
def home(request):
    """Each user lands on the page of their tier: community, district or city."""
    user = request.user
    if user.org_unit is None and not user.is_superuser:
        return render(request, "orgs/home_unassigned.html")
    if user.tier == OrgUnitKind.COMMUNITY:
        return _community_home(request)
    if user.tier == OrgUnitKind.DISTRICT:
        return _district_home(request)
    return _city_home(request)


def _community_home(request):
    user, today = request.user, timezone.localdate()
    community = user.org_unit
    context = {"community": community, "today": today, "report": own_report_status(user, now=timezone.now())}
    if user.can_view_registry:
        context["figures"] = registry_figures([community], by="community", on=today).get(community.pk, {})
        context["due"] = (
            Establishment.objects.visible_to(user)
            .due(on=today)
            .select_related("community")  # each row names its community
            .order_by("next_visit_due", "name")
        )[:DUE_LIST_LENGTH]
    if user.role in (Role.COMMUNITY_HEAD, Role.SUPERVISING_LEADER):
        context["team_problems"] = team_warnings([community]).get(community.pk, [])
    return render(request, "orgs/home_community.html", context)


def _district_home(request):
    today = timezone.localdate()
    communities = list(OrgUnit.objects.visible_to(request.user).communities().active())
    figures = registry_figures(communities, by="community", on=today)
    warnings = team_warnings(communities)
    district = request.user.org_unit
    grading = grading_status(district, on=today)
    rows = [_row(c, figures.get(c.pk, {}), warnings.get(c.pk, [])) for c in communities]
    missed = missed_campaigns(communities, today=today)
    for row in rows:
        row["grading_state"] = grading_state(row["coverage"], grading["target"], on=today)
        row["missed_campaigns"] = missed[row["unit"].pk]
    context = {
        "district": district,
        "grading": grading,
        "can_set_target": office_district(request.user) is not None,
        "rows": rows,
        "today": today,
        "report": own_report_status(request.user, now=timezone.now()),
    }
    return render(request, "orgs/home_district.html", context)


def _city_home(request):
    today = timezone.localdate()
    visible = OrgUnit.objects.visible_to(request.user).active()
    districts = list(visible.districts())
    figures = registry_figures(districts, by="community__parent", on=today)
    communities = list(visible.communities())
    warnings = team_warnings(communities)
    weak_teams = Counter(c.parent_id for c in communities if c.pk in warnings)
    rows = [_row(d, figures.get(d.pk, {}), [], weak_teams=weak_teams[d.pk]) for d in districts]
    targets = {t.district_id: t for t in GradingTarget.objects.filter(district__in=districts)}
    for row in rows:
        row["grading_state"] = grading_state(row["coverage"], targets.get(row["unit"].pk), on=today)
    return render(request, "orgs/home_city.html", {"rows": rows, "today": today})


def _row(unit: OrgUnit, figures: dict, problems: list[str], weak_teams: int = 0) -> dict:
    return {
        "unit": unit,
        "open": figures.get("open", 0),
        "overdue": figures.get("overdue", 0),
        "due": figures.get("due", 0),
        "coverage": grading_coverage(figures),
        "problems": problems,
        "weak_teams": weak_teams,
    }


class LogoutView(auth_views.LogoutView):
    """Logging out of the web app revokes the user's API tokens too: whoever logs out leaves no
    way into their account behind."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            api_tokens_revoke_all(user=request.user)
        return super().post(request, *args, **kwargs)
