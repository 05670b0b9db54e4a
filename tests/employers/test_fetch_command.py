"""`doconnect fetch jobsuche` against a local stand-in of the API: all pages imported in
one go, the cap reported, and no network a clear error that writes nothing."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from doconnect.employers.jobsuche import read_jobsuche
from doconnect.employers.models import PostcodeDistrict, Vacancy
from tests.conftest import City
from tests.core.test_import_export_commands import run
from tests.employers.bafake import Answer, FakeBA, serve


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
    assert "vacancies created: 250" in out and "in a district: 250" in out
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
