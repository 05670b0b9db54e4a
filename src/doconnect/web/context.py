from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from doconnect.allocations.services import may_allocate
from doconnect.people.access import Viewer, viewer_for
from doconnect.referrals.access import may_use_referrals
from doconnect.transitions.services import may_monitor_transitions
from doconnect.web.queries import may_list_persons

# url name -> navigation entry marked aria-current
_NAV_SECTIONS = {
    "home": "home",
    "person_list": "persons",
    "person_detail": "persons",
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
}


def request_viewer(request: HttpRequest) -> Viewer:
    """The viewer of this request, read once per request (views and the navigation
    share it)."""
    cached: Viewer | None = getattr(request, "_doconnect_viewer", None)
    if cached is None:
        cached = viewer_for(request.user)
        request._doconnect_viewer = cached  # type: ignore[attr-defined]
    return cached


def platform(request: HttpRequest) -> dict[str, Any]:
    match = request.resolver_match
    nav: dict[str, Any] = {
        "current": _NAV_SECTIONS.get(match.url_name or "", "") if match else "",
        "persons": False,
        "allocation": False,
        "referrals": False,
        "transitions": False,
        "labour_market": False,
    }
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        nav["persons"] = may_list_persons(request_viewer(request))
        nav["allocation"] = may_allocate(request_viewer(request))
        nav["referrals"] = may_use_referrals(request_viewer(request))
        nav["transitions"] = may_monitor_transitions(request_viewer(request))
        nav["labour_market"] = bool(request_viewer(request).memberships)
    return {"DEMO_MODE": settings.DEMO_MODE, "nav": nav}
