"""The English catalogue is complete: a visible string without translation fails."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from doconnect.core.management.commands import messages

CATALOGUE = messages.PROJECT_DIR / "locale" / "en" / "LC_MESSAGES"


@pytest.fixture(autouse=True)
def _gettext_tools() -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext is missing (apt-get install -y gettext); CI requires it")
        pytest.skip("GNU gettext not installed")


def test_every_string_in_the_code_has_an_english_translation() -> None:
    call_command("messages", check=True)


def test_the_check_names_a_new_string_without_translation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "doconnect"
    shutil.copytree(
        messages.PROJECT_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "static")
    )
    template = copy / "web" / "templates" / "web" / "untranslated_probe.html"
    template.write_text('{% load i18n %}<p>{% translate "Eine neue Zeile ohne Übersetzung" %}</p>')
    monkeypatch.setattr(messages, "PROJECT_DIR", copy)

    with pytest.raises(CommandError) as raised:
        call_command("messages", check=True)

    assert "en: Eine neue Zeile ohne Übersetzung (" in str(raised.value)
    assert "untranslated_probe.html:1" in str(raised.value)
    assert "1 string(s)" in str(raised.value)


def test_the_check_changes_nothing_in_the_catalogue() -> None:
    before = (CATALOGUE / "django.po").read_bytes()
    call_command("messages", check=True)
    assert (CATALOGUE / "django.po").read_bytes() == before


def test_the_compiled_catalogue_is_the_po_file_compiled(tmp_path: Path) -> None:
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(fresh), str(CATALOGUE / "django.po")], check=True)
    with fresh.open("rb") as f:
        expected = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    with (CATALOGUE / "django.mo").open("rb") as f:
        committed = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    expected.pop("", None)
    committed.pop("", None)
    assert committed == expected, "run `make messages` to compile the catalogue"
