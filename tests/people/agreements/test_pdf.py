"""The agreement as a PDF for the person to take home: what the person reads in it
(plain German, both sides with owners and due dates, the review date, strengths and
support needs in words, where to get help), what is not in it (scores, other persons),
and that every download is audited as an export and refused like the page."""

from __future__ import annotations

import datetime as dt
import re

import pypdfium2 as pdfium
import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse

from doconnect.core.models import AuditEvent
from doconnect.people.agreements.models import Agreement
from doconnect.people.agreements.services import ItemInput
from doconnect.people.models import Person
from tests.conftest import City, logged_in, make_person, participant
from tests.people.agreements.helpers import conclude

pytestmark = pytest.mark.usefixtures("fixed_today")  # today is 23.11.2026


def _pdf_url(agreement: Agreement) -> str:
    return f"/persons/{agreement.person.public_id}/agreements/{agreement.pk}.pdf"


def pdf_text(response: HttpResponse) -> str:
    """The text of every page, as one string with single spaces."""
    document = pdfium.PdfDocument(response.content)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    return re.sub(r"\s+", " ", " ".join(pages))


@pytest.fixture
def agreement(city: City, case_worker: User, provider_staff: User) -> Agreement:
    provider_staff.first_name, provider_staff.last_name = "Pia", "Werkstatt"
    provider_staff.save()
    case_worker.first_name, case_worker.last_name = "Jana", "Berater"
    case_worker.save()
    person = make_person(
        city, given_name="Mina", family_name="Heimweg", consent_orgs=[city.jobcenter]
    )
    Person.objects.filter(pk=person.pk).update(
        strengths=["zuverlässig", "mehrsprachig"], support_needs=["Kinderbetreuung"]
    )
    # Somebody else with an agreement of the same Jobcenter: must not appear.
    other = make_person(
        city, given_name="Otto", family_name="Nebenan", consent_orgs=[city.jobcenter]
    )
    conclude(case_worker, other, title="Ottos Plan")
    return conclude(
        case_worker,
        person,
        title="Kooperationsplan Übergang",
        items=[
            ItemInput(
                side="person",
                text="Ich bewerbe mich jeden Monat auf vier Stellen.",
                due_on=dt.date(2026, 12, 31),
            ),
            ItemInput(
                side="person",
                text="Ich kläre die Kinderbetreuung.",
                due_on=dt.date(2026, 11, 2),  # passed: still open
            ),
            ItemInput(
                side="institution",
                text="Wir übernehmen die Fahrtkosten.",
                due_on=dt.date(2026, 12, 15),
                owner_organisation="jc",
            ),
            ItemInput(
                side="institution",
                text="Der Träger hält einen Werkstattplatz frei.",
                due_on=dt.date(2026, 12, 1),
                owner_organisation="p-a",
                owner_user="provider_staff",
            ),
        ],
    )


def test_the_person_reads_both_sides_with_owners_dates_review_strengths_and_help(
    agreement: Agreement, case_worker: User
) -> None:
    response = logged_in(case_worker).get(_pdf_url(agreement))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="vereinbarung-{agreement.person.public_id}-{agreement.pk}.pdf"'
    )
    text = pdf_text(response)
    for expected in (
        "Kooperationsplan Übergang",
        "Unsere Vereinbarung: Mina Heimweg und Jobcenter",
        "Geschlossen am 1. Oktober 2026.",
        "Das tue ich",
        "Ich bewerbe mich jeden Monat auf vier Stellen.",
        "Bis 31. Dezember 2026. Noch offen.",
        "Noch offen, die Frist ist vorbei",
        "Das sichern wir zu",
        "Dafür steht ein: Jobcenter. Bis 15. Dezember 2026.",
        "Dafür steht ein: Träger A (Pia Werkstatt).",
        "Das können Sie gut zuverlässig, mehrsprachig",
        "Dabei bekommen Sie Unterstützung Kinderbetreuung",
        "Am 15. Januar 2027 sprechen wir gemeinsam darüber, wie es läuft.",
        "Wo Sie Hilfe bekommen",
        "Jana Berater, Jobcenter",
    ):
        assert expected in text, expected
    # The person's side reads before the institutions'.
    assert text.index("Das tue ich") < text.index("Das sichern wir zu")


def test_the_pdf_holds_no_score_and_no_other_person(
    agreement: Agreement, case_worker: User
) -> None:
    text = pdf_text(logged_in(case_worker).get(_pdf_url(agreement)))
    assert "Otto" not in text and "Nebenan" not in text and "Ottos Plan" not in text
    assert not re.search(r"score|Punktzahl|Risiko|Prozent|%", text, re.IGNORECASE)
    assert "erfundenen Daten" not in text  # a real person: no demo marker
    # Only its own pseudonym: the person's id with us, no other.
    assert re.findall(r"P-[0-9A-Z]{8}", text) == [agreement.person.public_id]


def test_each_download_is_audited_as_an_export(agreement: Agreement, case_worker: User) -> None:
    client = logged_in(case_worker)
    client.get(_pdf_url(agreement))
    client.get(_pdf_url(agreement))
    exports = AuditEvent.objects.filter(
        person_public_id=agreement.person.public_id, action="export"
    )
    assert exports.count() == 2
    assert set(exports.values_list("view", flat=True)) == {"web.agreement_pdf"}
    assert exports.first().fields == ["given_name", "family_name", "agreements"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("analyst", 403),
        ("coordinator", 403),  # no consent covering the city: pseudonymous only
        ("platform_admin", 404),
        ("other_provider_staff", 404),
        ("provider_staff", 404),  # the person is not their participant
    ],
)
def test_the_pdf_is_refused_like_the_page_and_nothing_is_exported(
    agreement: Agreement, persona: str, status: int, request: pytest.FixtureRequest
) -> None:
    response = logged_in(request.getfixturevalue(persona)).get(_pdf_url(agreement))
    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="export").exists()


def test_provider_staff_download_the_agreement_their_provider_is_part_of(
    city: City, case_worker: User, provider_staff: User
) -> None:
    person = participant(city, city.offer_a, [city.jobcenter, city.provider_a])
    theirs = conclude(
        case_worker,
        person,
        items=[
            ItemInput(side="person", text="Kommt pünktlich.", due_on=dt.date(2026, 12, 1)),
            ItemInput(
                side="institution",
                text="Platz frei.",
                due_on=dt.date(2026, 12, 1),
                owner_organisation="p-a",
            ),
        ],
    )
    not_theirs = conclude(case_worker, person)
    client = logged_in(provider_staff)
    assert client.get(_pdf_url(theirs)).status_code == 200
    assert client.get(_pdf_url(not_theirs)).status_code == 404
