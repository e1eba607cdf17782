"""The reporter of a lead or reward as the viewer may see it (patrols.reporters)."""

from __future__ import annotations

from django import template

from patrols import reporters
from patrols.models import Lead, LeadEvent, Reward

register = template.Library()


@register.simple_tag
def reporter_of(record: Lead | Reward, viewer) -> reporters.ShownReporter:
    if isinstance(record, Reward):
        return reporters.reward_reporter(viewer, record)
    return reporters.lead_reporter(viewer, record)


@register.simple_tag
def actor_of(event: LeadEvent, lead: Lead, viewer) -> str:
    return reporters.event_actor(viewer, lead, event)
