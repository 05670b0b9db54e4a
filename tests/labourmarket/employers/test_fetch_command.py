"""`doconnect fetch jobsuche|weiterbildung|ausbildung` against a local stand-in of the
APIs (serving generated and recorded sample answers): all pages imported in one go, the
cap reported, and no network a clear error that writes nothing."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from doconnect.labourmarket.employers.jobsuche import read_jobsuche
from doconnect.labourmarket.employers.models import PostcodeDistrict, Vacancy
from doconnect.offers.models import Offer, OfferSource
from tests.conftest import City
from tests.core.test_import_export_commands import run
from tests.labourmarket.employers.bafake import Answer, FakeBA, serve, termin_entry


@pytest.fixture
def ba() -> Iterator[FakeBA]:
    with override_settings(BA_RETRIES=0):
        yield from serve()


@pytest.mark.django_db(transaction=True)
def test_every_page_is_fetched_and_imported(
    city: City, ba: FakeBA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    PostcodeDistrict.objects.create(postcode="44339", district=city.district)
    ba.total = 250
    with override_settings(JOBSUCHE_URL=ba.url, JOBSUCHE_API_KEY="test-key"):
        code, out, err = run(
            capsys, "fetch", "jobsuche", "--wo", "Dortmund", "--umkreis", "5",
            "--save-dir", str(tmp_path),
        )  # fmt: skip
    assert code == 0, err
    assert out.startswith("250 vacancies on 3 pages (v4); jobsuche wo=Dortmund: imported ")
    assert "vacancies created: 250" in out and "placed by postcode: 250" in out
    assert Vacancy.objects.filter(district=city.district).count() == 250
    assert {a.params["wo"] for a in ba.asked} == {"Dortmund"}
    assert {a.params["umkreis"] for a in ba.asked} == {"5"}
    assert {a.headers["x-api-key"] for a in ba.asked} == {"test-key"}
    saved = sorted(tmp_path.glob("jobsuche-page-*.json"))
    assert [p.name for p in saved] == [f"jobsuche-page-00{n}.json" for n in (1, 2, 3)]
    assert len(read_jobsuche(saved[2].read_bytes(), file="p3").vacancies) == 50


@pytest.mark.django_db(transaction=True)
def test_the_cap_is_reported_on_stderr(
    city: City, ba: FakeBA, capsys: pytest.CaptureFixture[str]
) -> None:
    ba.total = 10_500
    with override_settings(JOBSUCHE_URL=ba.url):
        code, out, err = run(capsys, "fetch", "jobsuche", "--wo", "Dortmund", "--dry-run")
    assert code == 0
    assert "the search found 10,500 vacancies, but the API returns only the first 10,000" in err
    assert out.strip() == "10000 vacancies on 100 pages (v4); dry run, nothing imported"
    assert not Vacancy.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_nothing_found_is_not_an_error(
    city: City, ba: FakeBA, capsys: pytest.CaptureFixture[str]
) -> None:
    ba.script = [Answer(200, b'{"stellenangebote": [], "maxErgebnisse": "0"}')]
    with override_settings(JOBSUCHE_URL=ba.url):
        code, out, _ = run(capsys, "fetch", "jobsuche", "--wo", "Nirgendwo")
    assert code == 0 and out.strip() == "0 vacancies on 1 page: nothing to import"


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_answer_writes_nothing(
    city: City, ba: FakeBA, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"stellenangebote": [{"refnr": "a", "beruf": "A"}, {"refnr": "b", "beruf": "B"}]}
    bad = {"stellenangebote": [{"beruf": "ohne refnr"}]}
    ba.script = [Answer(200, json.dumps(good).encode()), Answer(200, json.dumps(bad).encode())]
    with override_settings(JOBSUCHE_URL=ba.url):
        code, _, err = run(capsys, "fetch", "jobsuche", "--wo", "Dortmund", "--size", "2")
    assert code == 1
    assert "nothing imported: the API's answer is not what a Jobsuche search returns" in err
    assert "page=2" in err and "stellenangebote[0].refnr: is missing" in err
    assert not Vacancy.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_no_network_is_a_clear_command_error(
    city: City, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with override_settings(JOBSUCHE_URL=f"http://127.0.0.1:{port}/jobsuche-service"):
        code, out, err = run(capsys, "fetch", "jobsuche", "--wo", "Dortmund")
    assert code == 1 and out == ""
    assert f"nothing imported: cannot reach 127.0.0.1:{port}" in err
    assert "no network" in err
    assert not Vacancy.objects.exists()


def test_bad_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fetch", "jobsuche", "--wo", "Dortmund", "--size", "500")
    assert code == 1 and "--size must be between 1 and 100" in err
    code, _, err = run(capsys, "fetch", "jobsuche")
    assert code == 2 and "--wo" in err


def test_help_explains_the_cap_and_the_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fetch", "--help")
    assert code == 0
    assert "X-API-Key" in out and "10,000" in out and "--save-dir DIR" in out


# --- the offer APIs: Weiterbildungssuche and Ausbildungssuche ---------------------------

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "ba"


def sample(*parts: str) -> bytes:
    return SAMPLES.joinpath(*parts).read_bytes()


@pytest.mark.django_db(transaction=True)
def test_weiterbildung_fetches_every_page_from_0_and_imports_the_offers(
    city: City, ba: FakeBA, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The recorded sample (3 dates) as page 0 of a search that reports 4 results, then
    a page with the fourth."""
    PostcodeDistrict.objects.create(postcode="44145", district=city.district)
    first = json.loads(sample("weiterbildungssuche", "dortmund.json"))
    first["page"] = {"size": 3, "totalElements": 4, "totalPages": 2, "number": 0}
    second = {
        "_embedded": {"termine": [termin_entry(4)]},
        "page": {"size": 3, "totalElements": 4, "totalPages": 2, "number": 1},
    }
    ba.script = [Answer(200, json.dumps(first).encode()), Answer(200, json.dumps(second).encode())]
    with override_settings(WEITERBILDUNGSSUCHE_URL=ba.url, WEITERBILDUNGSSUCHE_API_KEY="wb-key"):
        code, out, err = run(
            capsys, "fetch", "weiterbildung", "--sw", "Lager", "--umkreis", "25",
            "--bildungsgutschein", "--param", "bt=1", "--size", "3", "--save-dir", str(tmp_path),
        )  # fmt: skip
    assert code == 0, err
    assert out.startswith("4 offers on 2 pages; weiterbildung search: imported ")
    assert "offers created: 4" in out
    assert [(a.path, a.params["page"], a.params["size"]) for a in ba.asked] == [
        ("/pc/v2/bildungsangebot", "0", "3"),
        ("/pc/v2/bildungsangebot", "1", "3"),
    ]
    asked = ba.asked[0].params
    assert (asked["sw"], asked["uk"], asked["bg"], asked["bt"]) == ("Lager", "25", "true", "1")
    assert {a.headers["x-api-key"] for a in ba.asked} == {"wb-key"}
    offers = Offer.objects.filter(source=OfferSource.WEITERBILDUNGSSUCHE)
    assert offers.count() == 4 and {o.kind for o in offers} == {"further_training"}
    assert offers.get(source_reference="190000001").district == city.district
    saved = sorted(p.name for p in tmp_path.glob("weiterbildung-page-*.json"))
    assert saved == ["weiterbildung-page-000.json", "weiterbildung-page-001.json"]


@pytest.mark.django_db(transaction=True)
def test_ausbildung_imports_the_recorded_sample_as_apprenticeships(
    city: City, ba: FakeBA, capsys: pytest.CaptureFixture[str]
) -> None:
    ba.script = [Answer(200, sample("ausbildungssuche", "dortmund.json"))]
    with override_settings(AUSBILDUNGSSUCHE_URL=ba.url):
        code, out, err = run(
            capsys, "fetch", "ausbildung", "--orte", "12345", "--sty", "0", "--region", "NW"
        )
    assert code == 0, err
    assert out.startswith("2 offers on 1 page; ausbildung search: imported ")
    (asked,) = ba.asked
    assert asked.path == "/pc/v1/ausbildungsangebot"
    assert (asked.params["orte"], asked.params["sty"], asked.params["re"]) == ("12345", "0", "NW")
    assert asked.headers["x-api-key"] == "infosysbub-absuche"  # the public default
    imported = Offer.objects.exclude(source="")  # the city's own offers have no source
    assert set(imported.values_list("kind", flat=True)) == {"apprenticeship"}


@pytest.mark.django_db(transaction=True)
def test_an_offer_search_that_finds_nothing_is_not_an_error(
    city: City, ba: FakeBA, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without results the HAL answer has no "_embedded" at all.
    empty = {"page": {"size": 100, "totalElements": 0, "totalPages": 0, "number": 0}}
    ba.script = [Answer(200, json.dumps(empty).encode())]
    with override_settings(WEITERBILDUNGSSUCHE_URL=ba.url):
        code, out, _ = run(capsys, "fetch", "weiterbildung", "--sw", "Nichts")
    assert code == 0 and out.strip() == "0 offers on 1 page: nothing to import"


@pytest.mark.django_db(transaction=True)
def test_the_offer_cap_is_reported_and_a_dry_run_writes_nothing(
    city: City, ba: FakeBA, capsys: pytest.CaptureFixture[str]
) -> None:
    ba.offers_total = 10_300
    with override_settings(WEITERBILDUNGSSUCHE_URL=ba.url):
        code, out, err = run(capsys, "fetch", "weiterbildung", "--size", "200", "--dry-run")
    assert code == 0, err
    assert "the search found 10,300 offers, but the API returns only the first 10,000" in err
    assert out.strip() == "10000 offers on 50 pages; dry run, nothing imported"
    assert max(int(a.params["page"]) for a in ba.asked) == 49
    assert not Offer.objects.exclude(source="").exists()


@pytest.mark.django_db(transaction=True)
def test_a_malformed_offer_page_writes_nothing(
    city: City, ba: FakeBA, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {
        "_embedded": {"termine": [termin_entry(1), termin_entry(2)]},
        "page": {"size": 2, "totalElements": 3, "totalPages": 2, "number": 0},
    }
    ba.script = [
        Answer(200, json.dumps(good).encode()),
        Answer(200, sample("weiterbildungssuche", "malformed-missing-keys.json")),
    ]
    with override_settings(WEITERBILDUNGSSUCHE_URL=ba.url):
        code, _, err = run(capsys, "fetch", "weiterbildung", "--size", "2")
    assert code == 1
    assert "nothing imported: the API's answer is not what a weiterbildung search returns" in err
    assert "page=1" in err and "angebot: is missing" in err
    assert not Offer.objects.exclude(source="").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("kind", "setting"), [("weiterbildung", "WEITERBILDUNGSSUCHE_URL"),
                                               ("ausbildung", "AUSBILDUNGSSUCHE_URL")])  # fmt: skip
def test_no_network_for_the_offer_apis_is_a_clear_command_error(
    city: City, capsys: pytest.CaptureFixture[str], kind: str, setting: str
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with override_settings(**{setting: f"http://127.0.0.1:{port}/infosysbub"}):
        code, out, err = run(capsys, "fetch", kind)
    assert code == 1 and out == ""
    assert f"nothing imported: cannot reach 127.0.0.1:{port}" in err and "no network" in err
    assert not Offer.objects.exclude(source="").exists()


def test_bad_offer_options_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fetch", "weiterbildung", "--size", "500")
    assert code == 1 and "--size must be between 1 and 200" in err
    code, _, err = run(capsys, "fetch", "ausbildung", "--param", "bart")
    assert code == 1 and "--param 'bart': expected NAME=VALUE" in err
    code, out, _ = run(capsys, "fetch", "ausbildung", "--help")
    assert code == 0 and "--orte IDS" in out and "--bildungsgutschein" in out
