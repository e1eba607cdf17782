"""The bottom bar of a community staff member's phone: its first destinations per role.

The header and side menu's links are the template orgs/_menu_links.html, included in base.html.
"""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()


# A phone's bottom bar (community staff): at most five destinations per role, the messages and
# "me" always among them. Each entry: URL name, label, glyph.
BOTTOM_BAR = {
    "inspector": (
        ("patrols:patrol_today", _("Today's patrol"), "✎"),
        ("patrols:establishment_list", _("Shops"), "⌂"),
        ("patrols:finding_list", _("Hazards"), "⚠"),
    ),
    "community_head": (
        ("home", _("Home"), "⌂"),
        ("patrols:patrol_review", _("To review"), "✓"),
        ("patrols:finding_list", _("Hazards"), "⚠"),
    ),
    "info_officer": (
        ("home", _("Home"), "⌂"),
        ("patrols:lead_list", _("Leads"), "☎"),
        ("reporting:article_list", _("Articles"), "✎"),
    ),
    "volunteer": (
        ("home", _("Home"), "⌂"),
        ("publicity:home", _("Publicity"), "✉"),
    ),
}
BOTTOM_BAR["supervising_leader"] = BOTTOM_BAR["community_head"]


@register.simple_tag(takes_context=True)
def bottom_bar(context) -> tuple[tuple[str, str, str], ...]:
    """The bottom bar's first destinations for the user's role (URL, label, glyph); empty for offices."""
    user = context["user"]
    role = user.role if user.tier == "community" else ""
    return tuple((reverse(name), str(label), glyph) for name, label, glyph in BOTTOM_BAR.get(role, ()))
