"""The Content-Security-Policy (issue #20): every answer carries the strict policy, and a
real Chromium drawing the main pages — charts, lists, forms, the conference pages, the
API docs — reports no violation of it (no inline script or style, no eval)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from doconnect.core.security import identity_provider_origins
from doconnect.people.models import Person
from doconnect.people.services import spell_create
from tests.browser import log_in
from tests.conftest import City, logged_in, make_person

STRICT = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
}


def _directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


def test_a_public_page_and_a_signed_in_page_carry_the_strict_policy(
    city: City, case_worker: User
) -> None:
    for response in (Client().get("/login/"), logged_in(case_worker).get("/persons/")):
        assert _directives(response["Content-Security-Policy"]) >= STRICT
        assert "unsafe" not in response["Content-Security-Policy"]


def test_forms_may_redirect_to_the_identity_provider_when_sign_on_is_configured(
    city: City, settings: Any
) -> None:
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example.org:8443/auth"
    settings.OIDC_OP_END_SESSION_ENDPOINT = "https://idp.example.org:8443/session/end"
    assert identity_provider_origins() == ["https://idp.example.org:8443"]
    header = Client().get("/login/")["Content-Security-Policy"]
    assert "form-action 'self' https://idp.example.org:8443" in header


# --- in the browser ---------------------------------------------------------------------

VIOLATIONS = """() => window.__cspViolations || []"""
# Recorded before any page script runs (an init script is not subject to the page's CSP).
RECORD = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective}: ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`
  );
});
"""

PAGES = (
    "/",
    "/persons/",
    "/persons/new/",
    "/persons/duplicates/",
    "/pathways/",
    "/offers/",
    "/providers/",
    "/districts/",
    "/referrals/",
    "/labour-market/",
    "/labour-market/occupations/",
    "/labour-market/potentials/",
    "/labour-market/employers/",
    "/tasks/",
    "/tasks/settings/",
    "/scenarios/",
    "/transparency/",
    "/conference/",
    "/conference/commitments/",
    "/conference/actors/",
    "/conference/network/",
    "/conference/overlap/",
    "/public/",
    "/public/conference/",
    "/api/docs",
)


@pytest.fixture
def person(transactional_db: None, city: City, coordinator: User, case_worker: User) -> Person:
    """Made before Playwright starts its event loop (see tests/browser_fixtures.py)."""
    person = make_person(
        city, given_name="Lina", family_name="Richtlinie", consent_orgs=[city.jobcenter]
    )
    spell_create(person=person, state="school", start=dt.date(2015, 8, 1), end=dt.date(2021, 7, 31))
    return person


@pytest.mark.browser
def test_the_main_pages_run_without_a_single_policy_violation(
    live_server: Any, person: Person, page: Any
) -> None:
    console: list[str] = []
    page.on(
        "console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.add_init_script(RECORD)
    found: list[str] = []

    page.goto(f"{live_server.url}/login/")
    found += [f"/login/: {v}" for v in page.evaluate(VIOLATIONS)]
    log_in(page, live_server.url, "coordinator")
    charts = 0
    for path in (*PAGES, f"/persons/{person.public_id}/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-vega-spec]')]"
            ".every(chart => chart.querySelector('svg') || chart.dataset.error)"
        )
        errors = page.evaluate(
            "() => [...document.querySelectorAll('[data-vega-spec]')]"
            ".filter(chart => chart.dataset.error).map(chart => chart.dataset.error)"
        )
        assert errors == [], f"{path}: {errors}"
        charts += page.locator("[data-vega-spec] svg").count()
        found += [f"{path}: {v}" for v in page.evaluate(VIOLATIONS)]
    # Charts are drawn by the interpreter, not by eval: some pages above have them.
    assert charts > 0
    assert found == [] and console == [], "\n".join(found + console)


# --- in the templates -------------------------------------------------------------------

# Rendered by WeasyPrint into PDFs on the server, never shown in a browser.
PDF_TEMPLATES = {"report_pdf.html", "agreement_pdf.html"}
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:json|ld\+json)\")[^>]*>"
    r"|<style[\s>]|\sstyle=\"|\son[a-z]+=\"",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_style_or_event_handler() -> None:
    root = Path(settings.BASE_DIR)
    found = [
        f"{path.relative_to(root)}:{text[: match.start()].count(chr(10)) + 1}: {match.group()}"
        for path in sorted(root.rglob("templates/**/*.html"))
        if path.name not in PDF_TEMPLATES
        for text in [path.read_text()]
        for match in INLINE.finditer(text)
    ]
    assert found == [], "\n".join(found)
