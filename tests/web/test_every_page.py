"""Every page of the platform, as every role that may use it sees it, in German and in
English, at 1280 and at 320 CSS px, in a real Chromium on the demo city:

- the page itself never scrolls sideways (WCAG 1.4.10 Reflow; wide tables scroll in
  their own region),
- no two visible controls overlap (at each control's centre ``elementFromPoint`` finds
  that control),
- no console error or warning, no script error,
- no request to any host but the platform,
- axe-core finds nothing serious or critical (in both languages, at both widths),
- an English page shows no German data label, a German page no English one (target
  groups, strengths, support needs, offer and organisation kinds, decline and allocation
  reasons, checked against the message catalogue; text marked ``lang`` as another
  language — the German yearly report on an English page — is not the page's),
- a page a role may not use answers with the refusal page and is not in its navigation.

The pages come from the URL conf: every name in the ``web`` namespace is either walked or
listed in NOT_PAGES with the reason, so a new page is walked (or the test says so).
Full-page screenshots land in var/screenshots/every-page/<role>-<lang>-<width>-<page>.png.
One demo city, one browser context per role and language, one pass of all checks per
page and width; the seconds per role and language and the share axe takes are printed
(run with ``-s``)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from doconnect.allocation.models import AllocationOutcome
from doconnect.allocation.services import Scope, allocation_run
from doconnect.core.jobs import job_execute, job_start
from doconnect.core.models import District
from doconnect.core.viewers import viewer_for
from doconnect.decisions.from_scenarios import STANDARD_CRITERIA
from doconnect.decisions.services import (
    decision_create,
    decision_publish,
    decision_record,
    option_add,
)
from doconnect.demo.generator import DEMO_PASSWORD
from doconnect.demo.services import load_demo_city
from doconnect.forum.models import ActorProfile, Commitment, ConferenceSession
from doconnect.offers.models import Offer
from doconnect.people.access import visible_persons
from doconnect.people.access_rules import Purpose
from doconnect.people.agreements.models import Agreement
from doconnect.people.models import Spell
from doconnect.scenarios.services import scenario_create, scenario_run, scenario_spec_read
from doconnect.transitions.cohorts import CohortSpec
from doconnect.transitions.jobs import TRANSITIONS_JOB, transitions_job_params
from doconnect.transparency.services import yearly_report_publish
from tests.browser import BLOCKING
from tests.core.test_vocabulary import catalogue_pairs, found, names_in_data

pytestmark = pytest.mark.browser

SHOTS = Path(settings.VAR_DIR) / "screenshots" / "every-page"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "scenario-voucher-cut.json"
WIDTHS = (1280, 320)
REASONS = "Die Jugendlichen verlieren sonst die meisten Plätze."
LANGUAGES = {"de": "de-DE", "en": "en-GB"}
# role -> demo login (None: not logged in)
ROLES: dict[str, str | None] = {
    "coordinator": "koordination",
    "case_worker": "fallberatung",
    "provider_staff": "traeger",
    "analyst": "analyse",
    "admin": "admin",
    "public": None,
}
# Names in the web namespace that are no page to look at, and why.
DOWNLOADS = {
    "person_export": "a CSV/XLSX file",
    "agreement_pdf": "a PDF file",
    "public_report_pdf": "a PDF file",
    "public_report_csv": "a CSV file",
    "calendar_feed": "an iCalendar feed",
    "job_status": "a running job's page; a finished one redirects to its result (walked)",
    "password_set": "a one-time link from a mail (tests/core/test_password_set_browser.py)",
}
POST_ONLY = [
    "logout",
    "person_duplicate_merge",
    "person_duplicate_dismiss",
    "consent_give",
    "consent_withdraw",
    "consent_extend",
    "person_wishes",
    "agreement_item_update",
    "agreement_close",
    "casework_note_correct",
    "casework_follow_up_done",
    "casework_appointment_status",
    "referral_propose",
    "referral_action",
    "allocation_send",
    "allocation_withdraw",
    "scenario_run_to_decision",
    "decision_weights",
    "decision_preview",
    "decision_publish",
    "decision_withdraw",
    "transparency_publish",
    "transparency_withdraw",
    "forum_session_agenda",
    "forum_session_document",
    "forum_session_participant",
    "forum_session_minutes",
    "forum_session_decision",
    "forum_session_commitment",
    "forum_decision_publish",
    "forum_commitment_publish",
    "privacy_export",
    "privacy_erase",
]
NOT_PAGES = DOWNLOADS | {name: "a form's target (POST only)" for name in POST_ONLY}
# Console lines a refusal page brings by its nature: the document's own 403 or 404.
REFUSAL_CONSOLE = re.compile(
    r"Failed to load resource: the server responded with a status of 40[34]"
)
CONTROLS = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)
OVERLAPS = """() => {
  const found = [];
  for (const el of document.querySelectorAll(arguments_selector)) {
    if (el.closest("svg")) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width < 2 || box.height < 2 || style.visibility === "hidden") continue;
    // inside a closed <details> or otherwise not rendered
    if (!el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true})) continue;
    el.scrollIntoView({block: "center", inline: "center"});
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (!hit || hit === el || el.contains(hit)) continue;
    const label = hit.closest("label");
    if (label && label.control === el) continue;
    const name = (el.innerText || el.getAttribute("aria-label") || el.name || "").trim();
    const over = (hit.innerText || hit.getAttribute("aria-label") || "").trim();
    found.push(`${el.tagName.toLowerCase()} "${name.slice(0, 40)}" under `
      + `${hit.tagName.toLowerCase()}.${hit.className} "${over.slice(0, 40)}"`);
  }
  // Back to where a person arriving on the page would see it: the page and every
  // inner scroll region (wide tables) at their start, for the screenshot that follows.
  for (const el of document.querySelectorAll("*")) {
    if (el.scrollLeft || el.scrollTop) { el.scrollLeft = 0; el.scrollTop = 0; }
  }
  window.scrollTo(0, 0);
  return found;
}""".replace("arguments_selector", repr(CONTROLS))


@dataclass
class Site:
    """The demo city's object ids, per role where what a role sees differs."""

    kwargs: dict[str, dict[str, dict[str, Any]]]  # role -> url name -> kwargs
    queries: dict[str, str] = field(default_factory=dict)  # url name -> query string
    # language -> the data labels of the *other* language (must not show on its pages)
    foreign_labels: dict[str, list[str]] = field(default_factory=dict)
    names: str = ""  # organisation, offer and district names: not labels


def _web_names() -> dict[str, list[str]]:
    """Every URL name of the web namespace with its parameters."""
    names: dict[str, list[str]] = {}

    def walk(resolver: URLResolver, inside: bool) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "web" or (inside and not entry.namespace):
                    walk(entry, True)
            elif inside and isinstance(entry, URLPattern) and entry.name:
                names[entry.name] = re.findall(r"<(?:\w+:)?(\w+)>", str(entry.pattern))

    walk(get_resolver(), False)
    return names


def _city_objects() -> Site:
    """Load the demo city and add what it lacks: a scenario with a run, an allocation
    run, a transitions report, a decision taken and published, a published report."""
    load_demo_city(scale=0.05)
    coordinator = User.objects.get(username="koordination")
    today = timezone.localdate()
    spec = scenario_spec_read(EXAMPLE.read_bytes(), file=str(EXAMPLE))
    scenario = scenario_create(spec=spec, created_by=coordinator)
    run = scenario_run(scenario=scenario, today=today, started_by=coordinator)
    second = scenario_run(scenario=scenario, today=today, started_by=coordinator)
    allocation = allocation_run(started_by=coordinator, scope=Scope(), day=today)
    placed = AllocationOutcome.objects.filter(run=allocation).select_related("person").first()
    job = job_start(
        kind=TRANSITIONS_JOB,
        params=transitions_job_params(
            CohortSpec(kind="school_leavers", year=today.year - 3),
            months=24,
            k=3,
            min_count=5,
            today=today,
        ),
        started_by=coordinator,
    )
    job_execute(job.pk)
    decision = decision_create(
        title="Brückenbudget 2027",
        question="Welche Angebote sichert die Stadt?",
        criteria=STANDARD_CRITERIA,
        actor=coordinator,
    )
    values = {criterion.code: 1.0 for criterion in STANDARD_CRITERIA}
    first = option_add(decision=decision, label="Jugend zuerst", values=values, actor=coordinator)
    option_add(decision=decision, label="Gleichmäßig", values=values, actor=coordinator)
    draft = decision_create(
        title="Sprachkurse",
        question="Wie viele Plätze?",
        criteria=STANDARD_CRITERIA,
        actor=coordinator,
    )
    draft_option = option_add(decision=draft, label="Mehr", values=values, actor=coordinator)
    decision_record(
        decision=decision,
        chosen=first,
        reasons=REASONS,
        actor=coordinator,
    )
    decision_publish(decision=decision, actor=coordinator)
    report = yearly_report_publish(year=today.year - 1, by=coordinator)

    offer = Offer.objects.order_by("external_id").first()
    district = District.objects.order_by("pk").first()
    assert offer is not None and district is not None
    shared: dict[str, dict[str, Any]] = {
        "offer_detail": {"external_id": offer.external_id},
        "offer_edit": {"external_id": offer.external_id},
        "provider_detail": {"external_id": offer.provider.external_id},
        "district_detail": {"official_key": district.official_key},
        "labour_market_district": {"official_key": district.official_key},
        "allocation_run": {"pk": allocation.pk},
        "transitions_report": {"pk": job.pk},
        "scenario_detail": {"pk": scenario.pk},
        "scenario_run": {"pk": run.pk},
        "decision_detail": {"pk": draft.pk},
        "decision_option_add": {"pk": draft.pk},
        "decision_option_values": {"pk": draft.pk, "option_pk": draft_option.pk},
        "decision_criterion_add": {"pk": draft.pk},
        "decision_record": {"pk": draft.pk},
        "public_decision_detail": {"pk": decision.pk},
        "public_report": {"year": report.year},
        "transparency_preview": {"year": today.year - 1},
        "forum_session": {"pk": ConferenceSession.objects.order_by("pk").first().pk},  # type: ignore[union-attr]
        "forum_commitment": {"pk": Commitment.objects.order_by("pk").first().pk},  # type: ignore[union-attr]
        "forum_actor": {
            "external_id": ActorProfile.objects.select_related("organisation")
            .order_by("pk")
            .first()
            .organisation.external_id  # type: ignore[union-attr]
        },
    }
    if placed is not None:
        shared["allocation_person"] = {"pk": allocation.pk, "public_id": placed.person.public_id}
    kwargs: dict[str, dict[str, dict[str, Any]]] = {}
    for role, username in ROLES.items():
        mine = dict(shared)
        if username is not None:
            # a person this role sees, with an agreement and a spell where it has one
            persons = visible_persons(
                viewer_for(User.objects.get(username=username)), purpose=Purpose.COUNSELLING
            )
            person = persons.filter(agreements__isnull=False).first() or persons.first()
            own = Offer.objects.filter(
                provider__memberships__user__username=username, provider__kind="provider"
            ).first()
            if own is not None:
                mine["offer_edit"] = {"external_id": own.external_id}
            if person is not None:
                by_person = {"public_id": person.public_id}
                for name in [
                    "person_detail",
                    "person_edit",
                    "spell_new",
                    "agreement_new",
                    "casework_notes",
                    "casework_follow_ups",
                    "casework_appointments",
                    "casework_responsible",
                ]:
                    mine[name] = by_person
                agreement = Agreement.objects.filter(person=person).first()
                if agreement is not None:
                    mine["agreement_detail"] = {**by_person, "agreement_id": agreement.pk}
                spell = Spell.objects.filter(person=person).first()
                if spell is not None:
                    mine["spell_edit"] = {**by_person, "spell_id": spell.pk}
                    mine["spell_end"] = {**by_person, "spell_id": spell.pk}
        kwargs[role] = mine
    pairs = catalogue_pairs()
    return Site(
        kwargs,
        {"scenario_compare": f"?run={run.pk}&run={second.pk}"},
        foreign_labels={"en": [de for de, _en in pairs], "de": [en for _de, en in pairs]},
        names=names_in_data() + " " + _written_by_the_city(),
    )


def _written_by_the_city() -> str:
    """Free text people of the city wrote in German (offer descriptions, scenario and
    conference texts, decisions): content, not labels, shown as written in both languages.
    A label inside such a text is not checked (as with names_in_data)."""
    from doconnect.decisions.models import Criterion, DecisionOption
    from doconnect.forum.models import AgendaItem, ConferenceDecision, Programme, WorkingGroup
    from doconnect.people.agreements.models import AgreementItem
    from doconnect.scenarios.models import Scenario

    texts: list[str] = []
    for model, fields in (
        (Offer, ("description", "other_rules")),
        (Scenario, ("name", "description")),
        (ConferenceSession, ("title",)),
        (AgendaItem, ("title", "body")),
        (ConferenceDecision, ("text",)),
        (Commitment, ("what",)),
        (WorkingGroup, ("name",)),
        (Programme, ("title", "description")),
        (ActorProfile, ("description",)),
        (Criterion, ("label",)),
        (DecisionOption, ("label", "description")),
        (AgreementItem, ("text",)),
    ):
        for row in model.objects.values_list(*fields):  # type: ignore[attr-defined]
            texts.extend(str(value) for value in row if value)
    return " ".join(texts)


@pytest.fixture
def site(transactional_db: None, settings: Any) -> Site:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    settings.DEMO_MODE = True
    settings.JOBS_RUNNER = "inline"
    return _city_objects()


# The page's own text: every text node (charts' SVG included) but scripts, styles and
# text marked as another language with ``lang``.
PAGE_TEXT = """(language) => {
  const parts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    // a text field holds what is stored, to be edited as stored: not the page's words
    if (!el || el.closest("script, style, template, noscript, textarea")) continue;
    const marked = el.closest("[lang]");
    if (marked && !marked.lang.startsWith(language)) continue;
    parts.push(node.textContent);
  }
  return parts.join(" ");
}"""


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    walked: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    axe_seconds: float = 0.0

    def add(self, where: str, what: str, items: list[str]) -> None:
        self.problems.extend(f"{where}: {what}: {item}" for item in items)


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label(re.compile("^(Benutzername|Username)")).fill(username)
    page.get_by_label(re.compile("^(Passwort|Password)")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=re.compile("^(Anmelden|Log in|Sign in)")).click()
    page.wait_for_url(f"{base}/")


def _pages_for(role: str, site: Site, names: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(url name, path) of every page to walk as ``role``."""
    pages = []
    for name, params in sorted(names.items()):
        if name in NOT_PAGES:
            continue
        if params:
            kwargs = site.kwargs[role].get(name)
            if kwargs is None:
                continue  # no such object for this role (reported by the coverage test)
            path = reverse(f"web:{name}", kwargs=kwargs)
        else:
            path = reverse(f"web:{name}")
        pages.append((name, path + site.queries.get(name, "")))
    return pages


def _nav_links(page: Any) -> set[str]:
    return set(
        page.eval_on_selector_all(
            "nav.site-nav a[href]", "links => links.map(a => new URL(a.href).pathname)"
        )
    )


def _settle(page: Any) -> None:
    """Wait for what a page draws after loading: its charts, and content htmx loads."""
    if page.locator("[hx-trigger*='load']").count():
        page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-vega-spec]')]"
        ".every(chart => chart.querySelector('svg') || chart.dataset.error"
        " || chart.dataset.empty)"
    )


def _axe(page: Any, axe: str) -> list[str]:
    """axe-core's serious and critical findings (as tests/browser.py), asking only for
    violations: several times faster on long pages than collecting every result."""
    if not page.evaluate("typeof axe !== 'undefined'"):  # once per loaded page
        page.evaluate(axe)  # not a <script> tag: the CSP refuses inline scripts
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}) "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING
    ]


def _check(page: Any, where: str, findings: Findings, axe: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        findings.add(where, "scrolls sideways", [f"{widths[0]} px wide in {widths[1]} px"])
    findings.add(where, "overlap", page.evaluate(OVERLAPS))
    started = time.perf_counter()
    findings.add(where, "axe", _axe(page, axe))
    findings.axe_seconds += time.perf_counter() - started
    current = page.locator("nav.site-nav [aria-current='page']").count()
    if current > 1:
        findings.add(where, "navigation", [f"{current} entries marked as the current page"])


def _walk_role(
    browser: Any, base: str, role: str, language: str, site: Site, axe: str, findings: Findings
) -> None:
    host = urlsplit(base).netloc
    context = browser.new_context(
        locale=LANGUAGES[language], viewport={"width": WIDTHS[0], "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    console: list[str] = []
    foreign: list[str] = []
    page.on(
        "console",
        lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda error: console.append(f"script error: {error}"))

    def outside(request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != host:
            foreign.append(request.url)

    page.on("request", outside)
    username = ROLES[role]
    if username is not None:
        _log_in(page, base, username)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])
    refused: list[str] = []
    nav: set[str] = set()
    for name, path in _pages_for(role, site, _web_names()):
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        console.clear()
        foreign.clear()
        response = page.goto(base + path)
        _settle(page)
        status = response.status if response is not None else 0
        where = f"{role}/{language} {path}"
        if username is None and urlsplit(page.url).path == "/login/" and name != "login":
            continue  # not for the public: the login page (walked itself) answers
        if status in (403, 404):
            refused.append(urlsplit(base + path).path)
            kept = [line for line in console if not REFUSAL_CONSOLE.search(line)]
        elif status != 200:
            findings.add(where, "status", [str(status)])
            continue
        else:
            kept = list(console)
        if not nav:
            nav = _nav_links(page)
        if status in (403, 404) and refused[:-1]:
            continue  # the refusal page is looked at once per role and language
        findings.walked += 1
        findings.add(
            where,
            "data label of the other language",
            found(page.evaluate(PAGE_TEXT, language), site.foreign_labels[language], site.names),
        )
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            spot = f"{where} @{width}"
            _check(page, spot, findings, axe)
            shot = "refused" if status in (403, 404) else name
            page.screenshot(
                path=str(SHOTS / f"{role}-{language}-{width}-{shot}.png"), full_page=True
            )
        findings.add(where, "console", kept)
        findings.add(where, "request to another host", list(foreign))
    findings.add(
        f"{role}/{language}",
        "navigation links a page the role may not use",
        sorted(nav & set(refused)),
    )
    context.close()


@pytest.fixture
def walk(site: Site, live_server: Any, browser: Any, axe_path: Path) -> Iterator[Any]:
    SHOTS.mkdir(parents=True, exist_ok=True)

    def run(roles: list[str], languages: list[str]) -> Findings:
        findings = Findings()
        axe = axe_path.read_text()
        for role in roles:
            for language in languages:
                started = time.perf_counter()
                _walk_role(browser, live_server.url, role, language, site, axe, findings)
                findings.seconds[f"{role}/{language}"] = round(time.perf_counter() - started, 1)
                print(f"every page: {role}/{language} walked", flush=True)
        total = sum(findings.seconds.values())
        print("every page, seconds per role and language:", findings.seconds)
        print(
            f"every page: {findings.walked} pages walked in {total:.0f} s, "
            f"of which axe {findings.axe_seconds:.0f} s"
        )
        return findings

    yield run


def test_every_page_works_for_every_role_in_both_languages_at_both_widths(walk: Any) -> None:
    findings = walk(list(ROLES), list(LANGUAGES))
    report = SHOTS / "findings.txt"
    report.write_text("\n".join(findings.problems) + "\n")
    assert not findings.problems, f"{len(findings.problems)} problems (also in {report}):\n" + (
        "\n".join(findings.problems)
    )
    assert findings.walked > 100, findings.walked


def test_every_page_of_the_url_conf_is_walked_or_says_why_not(site: Site) -> None:
    names = _web_names()
    with_objects = {name for role in site.kwargs.values() for name in role}
    missing = [
        name
        for name, params in names.items()
        if params and name not in NOT_PAGES and name not in with_objects
    ]
    assert not missing, f"pages without an object id from the demo city: {missing}"
    assert not set(NOT_PAGES) - set(names), "NOT_PAGES names a page that is gone"
