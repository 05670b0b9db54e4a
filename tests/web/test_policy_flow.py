"""#8 end to end through the web, as the issue's "done when" tells it: a coordinator
models a federal cut of training vouchers, asks the optimiser how to spend a bridge
budget, weighs the two runs in a priority decision, records and publishes it, publishes
the yearly report, and the public reads both — on the web and in the PDF — without a
login."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pypdfium2
import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from doconnect.decisions.models import Decision, DecisionStatus
from doconnect.offers.models import FundingLine
from doconnect.people.models import Person
from doconnect.scenarios.models import Scenario, ScenarioRun
from tests.conftest import City, logged_in, waiting

pytestmark = pytest.mark.django_db

REASON = "Die Brücke hält Träger A am Leben und sichert die Werkstatt für Jugendliche."


def _pdf_text(content: bytes) -> str:
    document = pypdfium2.PdfDocument(content)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def test_a_coordinator_models_a_cut_decides_and_the_public_reads_it(
    city: City,
    coordinator: User,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.JOBS_RUNNER = "inline"
    year = timezone.localdate().year
    next_year = year + 1
    for offer, funder in ((city.offer_a, "federal_agency"), (city.offer_b, "city")):
        FundingLine.objects.create(
            offer=offer,
            funder=funder,
            amount_eur=Decimal("100000"),
            start=dt.date(next_year, 1, 1),
            end=dt.date(next_year, 12, 31),
        )
    # ten young people in Eving wait for a low-threshold entry like Werkstatt A
    for i in range(10):
        person = waiting(city, f"Person {i}")
        Person.objects.filter(pk=person.pk).update(preferred_offer_kinds=["low_threshold"])
    client = logged_in(coordinator)

    # two scenarios: the cut alone, and the cut with a bridge budget
    runs: list[ScenarioRun] = []
    for name, budget in (("Kürzung ohne Brücke", "0"), ("Kürzung mit Brücke", "40000")):
        response = client.post(
            "/scenarios/",
            {
                "name": name,
                "start": f"{next_year}-01-01",
                "end": f"{next_year}-12-31",
                "funders": ["federal_agency"],
                "percent": "-40",
                "bridge_budget_eur": budget,
                "viability_threshold": "70",
            },
        )
        assert response.status_code == 302
        scenario = Scenario.objects.get(name=name)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/scenarios/{scenario.pk}/").status_code == 302
        runs.append(ScenarioRun.objects.get(scenario=scenario))
    without, with_bridge = runs
    assert without.result["providers_not_viable"] == ["p-a"]  # 60 % < 70 %
    assert with_bridge.result["bridge"]["providers_kept"] == ["p-a"]
    covered = with_bridge.result["summary"]["demand_covered_after_bridge"]
    assert without.result["summary"]["demand_covered_after"]["youth_difficult_start"] == 0
    assert covered["youth_difficult_start"] == 10
    run_page = client.get(f"/scenarios/runs/{with_bridge.pk}/").content.decode()
    assert "Bester Einsatz des Brückenbudgets" in run_page

    # the decision: both runs as options, weighed by the standard criteria
    response = client.post(
        "/decisions/new/",
        {
            "title": "Brückenbudget für die Werkstatt",
            "question": "Soll die Stadt die Kürzung mit einem Brückenbudget abfedern?",
            "standard": ["providers_kept", "places_kept", "bridge_cost"],
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    for run in runs:
        response = client.post(
            f"/scenarios/runs/{run.pk}/to-decision/",
            {"decision": decision.pk, "label": run.scenario.name},
        )
        assert response.status_code == 302
    chosen = decision.options.get(label="Kürzung mit Brücke")
    response = client.post(
        f"/decisions/{decision.pk}/record/",
        {"chosen": chosen.pk, "reasons": REASON, "deviation_reason": REASON},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert client.post(f"/decisions/{decision.pk}/publish/").status_code == 302
    assert Decision.objects.get().status == DecisionStatus.PUBLISHED

    # the yearly report, published with the decision in it
    response = client.post(f"/transparency/{year}/publish/", {"confirm": "on"})
    assert response.status_code == 302

    public = Client()
    index = public.get("/public/").content.decode()
    assert "Brückenbudget für die Werkstatt" in index
    decision_page = public.get(f"/public/decisions/{decision.pk}/").content.decode()
    assert "Kürzung mit Brücke" in decision_page and REASON in decision_page
    report = public.get(f"/public/reports/{year}/").content.decode()
    assert "Prioritätsentscheidungen" in report and "Brückenbudget für die Werkstatt" in report
    pdf = public.get(f"/public/reports/{year}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "Prioritätsentscheidungen" in text
    assert "Brückenbudget für die Werkstatt" in " ".join(text.split())
