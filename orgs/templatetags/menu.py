"""The header menu's links, rendered once per kind of user and language.

The links depend on nothing but the user's role, tier and flags, the
language and the URL prefix (the key `{% keep %}` blocks use too), so each
combination is rendered once per process instead of reversing two dozen URLs
on every page. The parts that change per request
(the unread badge, the logout form's CSRF token) stay in base.html.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.simple_tag(takes_context=True)
def menu_links(context) -> SafeString:
    user = context["user"]
    return _menu_links(
        get_language(),
        get_script_prefix(),
        user.role,
        user.tier,
        user.can_view_registry,
        user.org_unit_id is not None,
        user.is_staff,
    )


@lru_cache(maxsize=256)
def _menu_links(
    language: str,
    script_prefix: str,
    role: str,
    tier: str,
    can_view_registry: bool,
    has_unit: bool,
    is_staff: bool,
) -> SafeString:
    context = {
        "role": role,
        "tier": tier,
        "can_view_registry": can_view_registry,
        "has_unit": has_unit,
        "is_staff": is_staff,
    }
    return render_to_string("orgs/_menu_links.html", context)


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
    return _bottom_bar(get_language(), get_script_prefix(), user.role if user.tier == "community" else "")


@lru_cache(maxsize=64)
def _bottom_bar(language: str, script_prefix: str, role: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((reverse(name), str(label), glyph) for name, label, glyph in BOTTOM_BAR.get(role, ()))
