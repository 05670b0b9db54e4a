"""`doconnect import` and `doconnect export` as a city's staff run them: help that
explains the kinds, exit status 1 and the problem list on stderr when a file is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from doconnect.cli import main
from doconnect.offers.models import Offer
from tests.conftest import City


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def test_import_help_lists_the_kinds_and_explains_each_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "import", "--help")
    assert code == 0
    assert (
        "{districts,organisations,users,offers,persons,spells,jobsuche,weiterbildung,"
        "ausbildung,statistics,postcodes}" in out
    )
    assert "offers        offer catalogue, JSON" in out
    assert "spells        biography spells, CSV" in out
    assert "jobsuche      vacancies, JSON: a saved BA Jobsuche search response" in out
    assert "region,period,indicator,age_band,gender,duration,legal_branch,kldb,wz,value" in out
    assert "FILE" in out and "the file to import, UTF-8 (with or without BOM)" in out
    assert "person_id,state,start,end,organisation,offer_id" in out
    assert "All or nothing" in out


def test_export_help_explains_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0
    assert "{offers,spells,vacancies}" in out and "--out FILE" in out and "standard output" in out
    assert "reference,title,employer,postcode,place,district,kldb,published,source" in out


def test_an_unknown_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import", "vacancies", "x.json")
    assert code == 2
    assert "invalid choice: 'vacancies'" in err


# The commands close the database connections when they finish, as Django's command
# runner does, so these tests run outside the usual test transaction.
@pytest.mark.django_db(transaction=True)
def test_a_refused_file_exits_with_1_and_lists_its_problems_on_stderr(
    city: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "offers.json"
    path.write_text(
        '{"offers": [\n  {"id": "o-1", "provider": "p-a", "title": "T", "kind": "x"}\n]}',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "import", "offers", str(path))
    assert code == 1 and out == ""
    assert f"{path}: nothing imported, 1 problem:" in err
    assert f'{path}:2: offers[0].kind: unknown kind "x"' in err
    assert not Offer.objects.filter(external_id="o-1").exists()


@pytest.mark.django_db(transaction=True)
def test_a_good_file_exits_with_0_and_prints_a_summary(
    city: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "offers.json"
    path.write_text(
        '{"offers": [{"id": "o-1", "provider": "p-a", "title": "T", "kind": "counselling"}]}',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "import", "offers", str(path))
    assert code == 0
    assert out.strip() == (
        f"{path}: imported (providers created: 0, providers updated: 0, offers created: 1, "
        "offers updated: 0, offers unchanged: 0, target groups created: 0, follow ons: 0, "
        "funding lines: 0)"
    )


@pytest.mark.django_db(transaction=True)
def test_a_missing_file_is_reported_plainly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "import", "spells", str(tmp_path / "nope.csv"))
    assert code == 1
    assert f"cannot read {tmp_path / 'nope.csv'}: No such file or directory" in err


# --- real data in: the BA's APIs and statistics ---------------------------------------

BA_SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "ba"


@pytest.mark.django_db(transaction=True)
def test_jobsuche_import_and_vacancy_export(
    city: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    postcodes = tmp_path / "plz.csv"
    postcodes.write_text("postcode,district\n44339,Eving\n", encoding="utf-8")
    code, out, err = run(capsys, "import", "postcodes", str(postcodes))
    assert code == 0, err
    assert "postcodes created: 1" in out

    sample = BA_SAMPLES / "jobsuche" / "v4-dortmund.json"
    code, out, err = run(capsys, "import", "jobsuche", str(sample))
    assert code == 0, err
    assert out.strip() == (
        f"{sample}: imported (vacancies created: 4, vacancies updated: 0, vacancies "
        "unchanged: 0, placed by coordinates: 0, placed by postcode: 1, not placed: 3)"
    )
    target = tmp_path / "vacancies.csv"
    code, out, _ = run(capsys, "export", "vacancies", "--out", str(target))
    assert code == 0 and out.strip() == f"{target}: exported 4 vacancies"
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "reference,title,employer,postcode,place,district,kldb,published,source"
    assert (
        "10000-1200000002-S,Fachkraft - Lagerlogistik,Muster Logistik AG,44339,Dortmund,"
        "Eving,,2026-11-10,jobsuche" in lines
    )
    assert (
        "10000-1200000001-S,Elektroniker (m/w/d) Energie- und Gebäudetechnik,"
        "Beispiel Elektro GmbH,44137,Dortmund,,,2026-11-02,jobsuche" in lines
    )


@pytest.mark.django_db(transaction=True)
def test_a_malformed_jobsuche_file_exits_with_1_and_writes_nothing(
    city: City, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = BA_SAMPLES / "jobsuche" / "malformed-wrong-types.json"
    code, out, err = run(capsys, "import", "jobsuche", str(sample))
    assert code == 1 and out == ""
    assert f"{sample}: nothing imported, 6 problems:" in err
    assert f"{sample}:11: stellenangebote[1].arbeitsort.plz: expected a five-digit" in err


@pytest.mark.django_db(transaction=True)
def test_ba_offer_imports_by_command(city: City, capsys: pytest.CaptureFixture[str]) -> None:
    for kind, folder in (
        ("weiterbildung", "weiterbildungssuche"),
        ("ausbildung", "ausbildungssuche"),
    ):
        code, out, err = run(capsys, "import", kind, str(BA_SAMPLES / folder / "dortmund.json"))
        assert code == 0, err
        assert "offers created:" in out
    assert Offer.objects.filter(source="ba_wbsuche").count() == 3
    assert Offer.objects.filter(source="ba_absuche").count() == 2
    empty = BA_SAMPLES / "ausbildungssuche" / "malformed-empty-list.json"
    code, _, err = run(capsys, "import", "ausbildung", str(empty))
    assert code == 1 and "_embedded.termine: is empty" in err


@pytest.mark.django_db(transaction=True)
def test_statistics_import_from_xlsx(
    city: City, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl

    from doconnect.labourmarket.models import Statistic

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["region", "period", "indicator", "gender", "value"])
    sheet.append(["Eving", "2026-10", "unemployed", "female", 1021])
    sheet.append(["Eving", "2026-10", "unemployed", "male", "*"])
    path = tmp_path / "statistik.xlsx"
    book.save(path)
    code, out, err = run(capsys, "import", "statistics", str(path))
    assert code == 0, err
    assert "figures created: 2" in out and "without value: 1" in out
    assert Statistic.objects.get(gender="male").value is None


# --- the kinds come from the domains ---------------------------------------------------


def test_every_kind_is_registered_by_its_domain_not_by_the_registry() -> None:
    from doconnect.core.transfers import export_kinds, import_kinds

    owners = {kind.name: kind.run.__module__ for kind in import_kinds()}
    assert owners == {
        # core's own kinds sit beside the registry; the organisations kind places by the
        # postcode table, which is the labour market's.
        "districts": "doconnect.core.city_transfers",
        "users": "doconnect.core.city_transfers",
        "organisations": "doconnect.labourmarket.transfers",
        "offers": "doconnect.offers.transfers",
        "persons": "doconnect.people.transfers",
        "spells": "doconnect.people.transfers",
        "jobsuche": "doconnect.labourmarket.transfers",
        "weiterbildung": "doconnect.offers.transfers",
        "ausbildung": "doconnect.offers.transfers",
        "statistics": "doconnect.labourmarket.transfers",
        "postcodes": "doconnect.labourmarket.transfers",
    }
    assert [kind.name for kind in export_kinds()] == ["offers", "spells", "vacancies"]


@pytest.fixture
def greeting_kind(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """A kind with its own option, registered for one test only; it records its calls."""
    from argparse import Action, ArgumentParser

    from doconnect.core import transfers
    from doconnect.files.importing import ImportResult

    calls: list[tuple[str, str]] = []

    def options(parser: ArgumentParser) -> list[Action]:
        return [parser.add_argument("--to", dest="greeted", metavar="USER", help="whom")]

    def greet(data: bytes, file: str, *, greeted: str | None) -> ImportResult:
        calls.append((data.decode(), str(greeted)))
        return ImportResult(file=file, counts={"greetings": 1})

    transfers.import_kinds()  # the domains' kinds first, then the one of this test
    monkeypatch.setattr(transfers, "_imports", dict(transfers._imports))
    transfers.register(
        transfers.ImportKind(
            name="greetings", description="a test kind", run=greet, position=99, arguments=options
        )
    )
    return calls


def test_a_kind_gets_the_values_of_its_own_options_and_no_other_kind_accepts_them(
    greeting_kind: list[tuple[str, str]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hello.txt"
    path.write_text("hello", encoding="utf-8")
    code, out, err = run(capsys, "import", "greetings", str(path), "--to", "anna")
    assert code == 0, err
    assert out.strip() == f"{path}: imported (greetings: 1)"
    assert greeting_kind == [("hello", "anna")]

    code, _, err = run(capsys, "import", "offers", str(path), "--to", "anna")
    assert code == 1
    assert "--to is an option of import greetings, not of offers" in err
