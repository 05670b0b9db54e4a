from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from doconnect.allocation.services import may_allocate
from doconnect.casework.tasks import due_count, may_use_tasks
from doconnect.core.viewers import request_viewer
from doconnect.decisions.selectors import may_read_decisions
from doconnect.forum.access import may_read_forum
from doconnect.people.access import may_list_persons
from doconnect.referrals.access import may_use_referrals
from doconnect.scenarios.services import may_read_scenarios
from doconnect.transitions.services import may_monitor_transitions
from doconnect.transparency.services import may_publish_reports

# url name -> navigation entry marked aria-current
_NAV_SECTIONS = {
    "home": "home",
    "tasks": "tasks",
    "task_settings": "tasks",
    "person_list": "persons",
    "person_detail": "persons",
    "casework_notes": "persons",
    "casework_follow_ups": "persons",
    "casework_appointments": "persons",
    "casework_responsible": "persons",
    "person_register": "persons",
    "person_duplicates": "persons",
    "offer_list": "offers",
    "offer_detail": "offers",
    "offer_edit": "offers",
    "provider_list": "providers",
    "provider_detail": "providers",
    "district_list": "districts",
    "district_detail": "districts",
    "pathways": "pathways",
    "allocation": "allocation",
    "allocation_weights": "allocation",
    "allocation_run": "allocation",
    "allocation_person": "allocation",
    "referral_inbox": "referrals",
    "transitions": "transitions",
    "transitions_report": "transitions",
    "labour_market": "labour_market",
    "labour_market_district": "labour_market",
    "labour_market_occupations": "labour_market",
    "labour_market_potentials": "labour_market",
    "labour_market_employers": "labour_market",
    "scenario_list": "scenarios",
    "scenario_detail": "scenarios",
    "scenario_run": "scenarios",
    "scenario_compare": "scenarios",
    "decision_list": "decisions",
    "decision_new": "decisions",
    "decision_detail": "decisions",
    "decision_option_add": "decisions",
    "decision_option_values": "decisions",
    "decision_criterion_add": "decisions",
    "decision_record": "decisions",
    "decision_withdraw": "decisions",
    "transparency": "transparency",
    "transparency_preview": "transparency",
    "transparency_publish": "transparency",
    "transparency_withdraw": "transparency",
    "forum_sessions": "forum",
    "forum_session": "forum",
    "forum_session_agenda": "forum",
    "forum_session_document": "forum",
    "forum_session_participant": "forum",
    "forum_session_minutes": "forum",
    "forum_session_decision": "forum",
    "forum_session_commitment": "forum",
    "forum_decision_publish": "forum",
    "forum_commitments": "forum",
    "forum_commitment": "forum",
    "forum_commitment_publish": "forum",
    "forum_actors": "forum",
    "forum_actor": "forum",
    "forum_network": "forum",
    "forum_overlap": "forum",
    "forum_public_log": "public",
    "public_index": "public",
    "public_report": "public",
    "public_decision_list": "public",
    "public_decision_detail": "public",
}


def platform(request: HttpRequest) -> dict[str, Any]:
    match = request.resolver_match
    nav: dict[str, Any] = {
        "current": _NAV_SECTIONS.get(match.url_name or "", "") if match else "",
        "tasks": False,
        "task_count": 0,
        "persons": False,
        "allocation": False,
        "referrals": False,
        "transitions": False,
        "labour_market": False,
        "scenarios": False,
        "decisions": False,
        "transparency": False,
        "forum": False,
    }
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        nav["tasks"] = may_use_tasks(request_viewer(request))
        # One query on every page (tests/casework/test_tasks_page.py keeps it so).
        nav["task_count"] = due_count(request_viewer(request)) if nav["tasks"] else 0
        nav["persons"] = may_list_persons(request_viewer(request))
        nav["allocation"] = may_allocate(request_viewer(request))
        nav["referrals"] = may_use_referrals(request_viewer(request))
        nav["transitions"] = may_monitor_transitions(request_viewer(request))
        nav["labour_market"] = bool(request_viewer(request).memberships)
        nav["scenarios"] = may_read_scenarios(request_viewer(request))
        nav["decisions"] = may_read_decisions(request_viewer(request))
        nav["transparency"] = may_publish_reports(request_viewer(request))
        nav["forum"] = may_read_forum(request_viewer(request))
    return {"DEMO_MODE": settings.DEMO_MODE, "nav": nav}
