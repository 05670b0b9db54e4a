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
    assert "{offers,spells}" in out
    assert "offers  offer catalogue, JSON" in out
    assert "spells  biography spells, CSV" in out
    assert "FILE" in out and "the file to import, UTF-8 (with or without BOM)" in out
    assert "person_id,state,start,end,organisation,offer_id" in out
    assert "All or nothing" in out


def test_export_help_explains_out(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "export", "--help")
    assert code == 0
    assert "{offers,spells}" in out and "--out FILE" in out and "standard output" in out


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
