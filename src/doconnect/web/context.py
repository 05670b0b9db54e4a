from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from doconnect.allocation.services import may_allocate
from doconnect.casework.tasks import due_count, may_use_tasks
from doconnect.core.models import Role
from doconnect.core.roles import MembershipRole
from doconnect.core.viewers import Viewer, request_viewer
from doconnect.decisions.selectors import may_read_decisions
from doconnect.decisions.services import may_decide
from doconnect.forum.access import may_read_forum, may_run_conference
from doconnect.labourmarket.access import may_see_market, may_see_market_analyses
from doconnect.pathways.access import may_see_pathways
from doconnect.people.access import may_list_persons
from doconnect.people.merging import may_merge
from doconnect.people.privacy import may_answer_requests, may_read_audit_log
from doconnect.people.registration import may_register
from doconnect.referrals.access import may_use_referrals
from doconnect.scenarios.services import may_model_scenarios, may_read_scenarios
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
    "privacy_requests": "privacy",
    "privacy_erase": "privacy",
    "audit_log": "audit",
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


# The navigation: groups of entries, each shown only to whom its domain's rule lets use
# the page (the same rule the page refuses by). No rule: every member of an
# organisation; ANYONE: also without login.
Rule = Callable[[Viewer], bool]
StrOrPromise = str | Promise


def _member(viewer: Viewer) -> bool:
    """Offers, providers and districts: every member of an organisation
    (offers/views.py and offers/places_views.py refuse the others)."""
    return bool(viewer.memberships)


def _anyone(viewer: Viewer) -> bool:
    return True


@dataclass(frozen=True)
class NavEntry:
    section: str
    url_name: str
    label: StrOrPromise
    rule: Rule


NAV_GROUPS: tuple[tuple[StrOrPromise, tuple[NavEntry, ...]], ...] = (
    (
        gettext_lazy("Fälle"),
        (
            NavEntry("tasks", "web:tasks", gettext_lazy("Aufgaben"), may_use_tasks),
            NavEntry("persons", "web:person_list", gettext_lazy("Personen"), may_list_persons),
            NavEntry(
                "referrals", "web:referral_inbox", gettext_lazy("Zuweisungen"), may_use_referrals
            ),
        ),
    ),
    (
        gettext_lazy("Angebote"),
        (
            NavEntry("offers", "web:offer_list", gettext_lazy("Angebote"), _member),
            NavEntry(
                "providers", "web:provider_list", pgettext_lazy("navigation", "Träger"), _member
            ),
            NavEntry("districts", "web:district_list", gettext_lazy("Stadtbezirke"), _member),
            NavEntry("pathways", "web:pathways", gettext_lazy("Übergänge"), may_see_pathways),
        ),
    ),
    (
        gettext_lazy("Analysen"),
        (
            NavEntry(
                "transitions", "web:transitions", gettext_lazy("Verläufe"), may_monitor_transitions
            ),
            NavEntry(
                "labour_market", "web:labour_market", gettext_lazy("Arbeitsmarkt"), may_see_market
            ),
            NavEntry(
                "scenarios", "web:scenario_list", gettext_lazy("Szenarien"), may_read_scenarios
            ),
        ),
    ),
    (
        gettext_lazy("Politik"),
        (
            NavEntry("allocation", "web:allocation", gettext_lazy("Zuteilung"), may_allocate),
            NavEntry(
                "decisions", "web:decision_list", gettext_lazy("Entscheidungen"), may_read_decisions
            ),
            NavEntry("forum", "web:forum_sessions", gettext_lazy("Konferenz"), may_read_forum),
            NavEntry(
                "transparency", "web:transparency", gettext_lazy("Transparenz"), may_publish_reports
            ),
        ),
    ),
    (
        gettext_lazy("Datenschutz"),
        (
            NavEntry(
                "privacy",
                "web:privacy_requests",
                gettext_lazy("Betroffenenrechte"),
                may_answer_requests,
            ),
            NavEntry(
                "audit", "web:audit_log", gettext_lazy("Zugriffsprotokoll"), may_read_audit_log
            ),
        ),
    ),
    (
        gettext_lazy("Öffentlich"),
        (NavEntry("public", "web:public_index", gettext_lazy("Öffentliche Berichte"), _anyone),),
    ),
)
# Narrower rules than their section's, for the refusal page's "who may do this".
_PAGE_RULES: dict[str, Rule] = {
    "labour_market_potentials": may_see_market_analyses,
    "labour_market_employers": may_see_market_analyses,
    "person_register": may_register,
    "person_duplicates": may_merge,
    "person_duplicate_merge": may_merge,
    "person_duplicate_dismiss": may_merge,
    "allocation_weights": may_allocate,
    "decision_new": may_decide,
    "decision_option_add": may_decide,
    "decision_criterion_add": may_decide,
    "decision_record": may_decide,
    "decision_publish": may_decide,
    "decision_withdraw": may_decide,
    "scenario_run_to_decision": may_model_scenarios,
    "forum_session_agenda": may_run_conference,
    "forum_session_document": may_run_conference,
    "forum_session_participant": may_run_conference,
    "forum_session_minutes": may_run_conference,
    "forum_session_decision": may_run_conference,
    "forum_session_commitment": may_run_conference,
    "forum_decision_publish": may_run_conference,
    "forum_commitment_publish": may_run_conference,
}
_RULES_BY_SECTION: dict[str, Rule] = {
    entry.section: entry.rule for _label, entries in NAV_GROUPS for entry in entries
}


def _single_role(role: str) -> Viewer:
    return Viewer(user_id=0, username="", memberships=(MembershipRole(0, role),))


def roles_allowed(url_name: str) -> list[str]:
    """The roles (their labels) that may use the page ``url_name``, found by asking the
    page's rule about a member with just that role; [] when the page has no known rule."""
    rule = _PAGE_RULES.get(url_name) or _RULES_BY_SECTION.get(_NAV_SECTIONS.get(url_name, ""))
    if rule is None:
        return []
    return [str(role.label) for role in Role if rule(_single_role(role.value))]


def _groups(viewer: Viewer, current: str) -> list[dict[str, Any]]:
    groups = []
    for label, entries in NAV_GROUPS:
        items = [
            {
                "url": reverse(entry.url_name),
                "label": entry.label,
                "current": entry.section == current,
                "section": entry.section,
            }
            for entry in entries
            if (entry.rule is _anyone or viewer.is_authenticated) and entry.rule(viewer)
        ]
        if items:
            groups.append({"label": label, "items": items})
    return groups


def _who(viewer: Viewer) -> list[str]:
    """ "Koordination (Beschäftigungsförderung), Stadt Dortmund" per membership."""
    labels = dict(Role.choices)
    return [
        f"{labels.get(m.role, m.role)}, {viewer.organisation_names.get(m.organisation_id, '')}"
        for m in viewer.memberships
    ]


def platform(request: HttpRequest) -> dict[str, Any]:
    match = request.resolver_match
    current = _NAV_SECTIONS.get(match.url_name or "", "") if match else ""
    nav: dict[str, Any] = {"current": current, "task_count": 0, "groups": [], "who": []}
    user = getattr(request, "user", None)
    viewer = request_viewer(request) if user is not None else None
    if viewer is not None and viewer.is_authenticated:
        # One query on every page (tests/casework/test_tasks_page.py keeps it so).
        nav["task_count"] = due_count(viewer) if may_use_tasks(viewer) else 0
        nav["who"] = _who(viewer)
    if viewer is not None:
        nav["groups"] = _groups(viewer, current)
    # The flags some pages still ask (nav.persons …), from the same rules.
    for section, rule in _RULES_BY_SECTION.items():
        nav[section] = bool(viewer and viewer.is_authenticated and rule(viewer))
    return {"DEMO_MODE": settings.DEMO_MODE, "nav": nav}
