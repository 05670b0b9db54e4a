"""The decision pages: a coordinator creates a decision, adds options and criteria,
previews and stores weights, records, publishes and withdraws; other roles read taken
decisions only; the public reads published ones without login. Every page has its
denied case."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from doconnect.decisions.models import Decision, DecisionStatus
from doconnect.decisions.services import decision_publish, decision_record
from tests.conftest import City, count_queries, logged_in
from tests.decisions.conftest import REASONS, worked_decision
from tests.decisions.test_from_scenarios import RESULT


@pytest.fixture
def draft(coordinator: User) -> Decision:
    return worked_decision(coordinator)


@pytest.fixture
def published(draft: Decision, coordinator: User) -> Decision:
    coordinator.first_name, coordinator.last_name = "Dora", "Koordinatorin"
    coordinator.save()
    decision_record(
        decision=draft,
        chosen=draft.options.get(label="Option C"),
        reasons=REASONS,
        actor=coordinator,
    )
    decision_publish(decision=draft, actor=coordinator)
    return draft


def test_a_coordinator_creates_a_draft_with_standard_criteria(
    coordinator: User, city: City
) -> None:
    response = logged_in(coordinator).post(
        reverse("web:decision_new"),
        {
            "title": "Kürzung 2027",
            "question": "Welche Angebote sichern wir?",
            "standard": ["places_kept", "bridge_cost"],
            "coverage": [city.youth.code],
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert list(decision.criteria.values_list("code", flat=True)) == [
        "coverage:youth_difficult_start",
        "places_kept",
        "bridge_cost",
    ]
    assert decision.created_by == coordinator


def test_others_may_not_create(case_worker: User) -> None:
    client = logged_in(case_worker)
    assert client.get(reverse("web:decision_new")).status_code == 403
    assert (
        client.post(reverse("web:decision_new"), {"title": "x", "question": "y"}).status_code == 403
    )
    assert not Decision.objects.exists()


def test_the_decision_page_shows_values_ranking_and_sensitivity(
    coordinator: User, draft: Decision
) -> None:
    response = logged_in(coordinator).get(reverse("web:decision_detail", args=[draft.pk]))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Option C" in text and "58,3" in text  # 7/12 as points
    # the sensitivity in words: coverage's weight 2 may fall to 1.5 before A leads
    assert "Wenn das Gewicht von ‚Abdeckung Jugendliche‘ auf 1,5 oder darunter fällt" in text
    assert "liegt ‚Option A‘ vorn" in text
    assert 'hx-post="' + reverse("web:decision_preview", args=[draft.pk]) in text


def test_the_ranking_chart_exports_its_table(coordinator: User, draft: Decision) -> None:
    response = logged_in(coordinator).get(
        reverse("web:decision_detail", args=[draft.pk]), {"chart": "ranking", "format": "csv"}
    )
    assert response.status_code == 200 and "Option C" in response.content.decode("utf-8-sig")


def test_the_preview_rescores_without_storing(coordinator: User, draft: Decision) -> None:
    response = logged_in(coordinator).post(
        reverse("web:decision_preview", args=[draft.pk]),
        {"w-0": "1", "w-1": "1", "w-2": "1"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert response.status_code == 200 and "Vorschau" in text
    assert "<html" not in text
    # equal weights: A = 2/3, C = 5/9, B = 1/3 → A first
    assert text.index("Option A") < text.index("Option C")
    assert draft.criteria.get(code="cov").weight == Decimal(2)


def test_storing_weights_without_javascript(coordinator: User, draft: Decision) -> None:
    client = logged_in(coordinator)
    response = client.post(
        reverse("web:decision_weights", args=[draft.pk]), {"w-0": "3", "w-1": "1", "w-2": "0.5"}
    )
    assert response.status_code == 302
    assert draft.criteria.get(code="cost").weight == Decimal("0.5")

    bad = client.post(
        reverse("web:decision_weights", args=[draft.pk]), {"w-0": "-1", "w-1": "1", "w-2": "1"}
    )
    assert bad.status_code == 400
    assert draft.criteria.get(code="cov").weight == Decimal(3)


def test_a_case_worker_can_neither_weigh_nor_see_a_draft(
    case_worker: User, draft: Decision
) -> None:
    client = logged_in(case_worker)
    assert client.get(reverse("web:decision_detail", args=[draft.pk])).status_code == 404
    for name in ("decision_weights", "decision_preview", "decision_record"):
        assert client.post(reverse(f"web:{name}", args=[draft.pk]), {"w-0": "9"}).status_code == 404
    assert draft.criteria.get(code="cov").weight == Decimal(2)


def test_an_option_from_a_scenario_result_file(coordinator: User, city: City) -> None:
    client = logged_in(coordinator)
    client.post(
        reverse("web:decision_new"),
        {
            "title": "K",
            "question": "Q",
            "standard": ["places_kept"],
            "coverage": ["youth_difficult_start"],
        },
    )
    decision = Decision.objects.get()
    upload = io.BytesIO(json.dumps(RESULT).encode())
    upload.name = "szenario.json"

    response = client.post(
        reverse("web:decision_option_add", args=[decision.pk]),
        {"label": "Szenario 1", "result": upload},
    )
    assert response.status_code == 302
    option = decision.options.get()
    assert option.source_label == "Kürzung Bildungsgutscheine 2027"
    assert option.values.get(criterion__code="places_kept").value == 33.0


def test_an_option_by_hand_needs_every_value(coordinator: User, draft: Decision) -> None:
    client = logged_in(coordinator)
    url = reverse("web:decision_option_add", args=[draft.pk])
    assert client.post(url, {"label": "D", "v-0": "0.6", "v-1": "7"}).status_code == 400
    assert (
        client.post(url, {"label": "D", "v-0": "0.6", "v-1": "7", "v-2": "120"}).status_code == 302
    )
    assert draft.options.count() == 4


def test_a_missing_value_is_filled_on_the_option_page(coordinator: User, draft: Decision) -> None:
    client = logged_in(coordinator)
    client.post(
        reverse("web:decision_criterion_add", args=[draft.pk]),
        {"code": "naehe", "label": "Wohnortnähe", "direction": "higher", "weight": "1"},
    )
    page = client.get(reverse("web:decision_detail", args=[draft.pk])).content.decode()
    assert "fehlt" in page and "Entscheidung festhalten" not in page

    option = draft.options.get(label="Option A")
    response = client.post(
        reverse("web:decision_option_values", args=[draft.pk, option.pk]),
        {"v-0": "0.5", "v-1": "10", "v-2": "100", "v-3": "4"},
    )
    assert response.status_code == 302
    assert option.values.get(criterion__code="naehe").value == 4.0


def test_recording_another_option_than_the_best_needs_a_reason(
    coordinator: User, draft: Decision
) -> None:
    client = logged_in(coordinator)
    url = reverse("web:decision_record", args=[draft.pk])
    option_b = draft.options.get(label="Option B")

    refused = client.post(url, {"chosen": option_b.pk, "reasons": REASONS})
    assert refused.status_code == 400 and "nicht die bestbewertete" in refused.content.decode()
    assert Decision.objects.get().status == DecisionStatus.DRAFT

    response = client.post(
        url,
        {
            "chosen": option_b.pk,
            "reasons": REASONS,
            "deviation_reason": "B sichert die meisten Plätze für Jugendliche, das zählt mehr.",
        },
    )
    assert response.status_code == 302
    assert Decision.objects.get().record.chosen == option_b


def test_a_case_worker_cannot_record_publish_or_withdraw(
    case_worker: User, coordinator: User, draft: Decision
) -> None:
    decision_record(
        decision=draft,
        chosen=draft.options.get(label="Option C"),
        reasons=REASONS,
        actor=coordinator,
    )
    client = logged_in(case_worker)
    assert client.get(reverse("web:decision_detail", args=[draft.pk])).status_code == 200
    assert client.post(reverse("web:decision_record", args=[draft.pk])).status_code == 403
    assert client.post(reverse("web:decision_publish", args=[draft.pk])).status_code == 403
    assert (
        client.post(
            reverse("web:decision_withdraw", args=[draft.pk]), {"reason": "x" * 40}
        ).status_code
        == 403
    )
    assert Decision.objects.get().status == DecisionStatus.DECIDED


def test_a_taken_decision_is_frozen_on_its_pages(coordinator: User, published: Decision) -> None:
    client = logged_in(coordinator)
    page = client.get(reverse("web:decision_detail", args=[published.pk])).content.decode()
    assert "Gewichte speichern" not in page and "Dora Koordinatorin" in page
    assert (
        client.post(reverse("web:decision_weights", args=[published.pk]), {"w-0": "1"}).status_code
        == 403
    )


def test_the_list_shows_drafts_to_coordinators_only(
    coordinator: User, analyst: User, outsider: User, published: Decision
) -> None:
    worked_decision_other = Decision.objects.create(title="Geheimer Entwurf", question="?")
    coordinator_page = logged_in(coordinator).get(reverse("web:decision_list")).content.decode()
    analyst_page = logged_in(analyst).get(reverse("web:decision_list")).content.decode()

    assert "Geheimer Entwurf" in coordinator_page and published.title in coordinator_page
    assert "Geheimer Entwurf" not in analyst_page and published.title in analyst_page
    assert logged_in(outsider).get(reverse("web:decision_list")).status_code == 403
    assert worked_decision_other.pk


def test_the_list_needs_a_fixed_number_of_queries(coordinator: User, published: Decision) -> None:
    client = logged_in(coordinator)
    url = reverse("web:decision_list")
    few = count_queries(client, url)
    for i in range(5):
        Decision.objects.create(title=f"Entwurf {i}", question="?")
    assert count_queries(client, url) == few


def test_the_public_reads_a_published_decision_without_login(published: Decision) -> None:
    client = Client()
    listing = client.get(reverse("web:public_decision_list")).content.decode()
    page = client.get(reverse("web:public_decision_detail", args=[published.pk]))

    text = page.content.decode()
    assert published.title in listing
    assert page.status_code == 200
    assert published.question in text and REASONS in text and "Option C" in text
    assert "Dora Koordinatorin" in text and "coordinator" not in text  # a name, not the username
    assert "Abdeckung Jugendliche" in text and "58,3" in text


def test_the_public_page_names_the_office_when_no_name_is_on_record(
    draft: Decision, coordinator: User
) -> None:
    decision_record(
        decision=draft,
        chosen=draft.options.get(label="Option C"),
        reasons=REASONS,
        actor=coordinator,
    )
    decision_publish(decision=draft, actor=coordinator)
    text = Client().get(reverse("web:public_decision_detail", args=[draft.pk])).content.decode()
    assert "Koordination der Beschäftigungsförderung" in text


def test_the_public_sees_neither_drafts_nor_withdrawn_decisions(
    draft: Decision, coordinator: User
) -> None:
    client = Client()
    assert client.get(reverse("web:public_decision_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("web:decision_detail", args=[draft.pk])).status_code == 302  # login

    decision_record(
        decision=draft,
        chosen=draft.options.get(label="Option C"),
        reasons=REASONS,
        actor=coordinator,
    )
    decision_publish(decision=draft, actor=coordinator)
    logged_in(coordinator).post(
        reverse("web:decision_withdraw", args=[draft.pk]),
        {"reason": "Der Haushalt ist neu beschlossen; wir entscheiden neu."},
    )
    assert Decision.objects.get().status == DecisionStatus.WITHDRAWN
    assert client.get(reverse("web:public_decision_detail", args=[draft.pk])).status_code == 404
    assert draft.title not in client.get(reverse("web:public_decision_list")).content.decode()


def test_the_public_list_needs_a_fixed_number_of_queries(
    published: Decision, coordinator: User
) -> None:
    client = Client()
    url = reverse("web:public_decision_list")
    few = count_queries(client, url)
    second = worked_decision(coordinator)
    decision_record(
        decision=second,
        chosen=second.options.get(label="Option A"),
        reasons=REASONS,
        deviation_reason=REASONS,
        actor=coordinator,
    )
    decision_publish(decision=second, actor=coordinator)
    assert count_queries(client, url) == few
