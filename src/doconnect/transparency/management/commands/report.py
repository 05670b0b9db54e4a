"""``doconnect report build``: the yearly report of a year as files, for checking before
publishing (the same build as the coordinator's preview; nothing is stored)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.files.atomic import write_atomically
from doconnect.transparency.render import figures_csv, report_pdf
from doconnect.transparency.services import PublishRefused, yearly_report_build

EPILOG = """\
Builds the (unpublished) yearly report from the database as of today, with every figure
protected as on the public pages (threshold DOCONNECT_SMALL_NUMBER), and writes it:
  --pdf OUT.pdf   the report as the public PDF would look (marked as a draft)
  --csv OUT.csv   every figure: table,row,column,value (* for a hidden figure)
  --json OUT.json the report's content (what publishing would store)
Without any of them the report's text is printed. Files are written atomically.

examples:
  doconnect report build --year 2026 --pdf jahresbericht-2026.pdf --csv zahlen-2026.csv
  doconnect report build --year 2025
"""


class Command(ExampleCommand):
    help = "Build the yearly report of the city's employment policy (not published)."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["build"], help="build: write the report files")
        parser.add_argument("--year", type=int, required=True, help="calendar year")
        parser.add_argument("--pdf", metavar="OUT.pdf", help="write the PDF here")
        parser.add_argument("--csv", metavar="OUT.csv", help="write the figures here")
        parser.add_argument("--json", metavar="OUT.json", help="write the content here")

    def handle(self, *args: Any, **options: Any) -> None:
        outputs = [Path(options[k]) for k in ("pdf", "csv", "json") if options[k]]
        for out in outputs:
            if not out.parent.is_dir():
                raise CommandError(f"cannot write {out}: folder {out.parent} does not exist")
        try:
            # A fresh build from the tables as they are now, never the preview's stored
            # one (``builds.py``), which may be stale.
            content = yearly_report_build(year=options["year"])
        except PublishRefused as exc:
            raise CommandError(str(exc)) from exc
        files: list[tuple[str | Path, str | bytes]] = []
        if options["pdf"]:
            files.append((options["pdf"], report_pdf(content)))
        if options["csv"]:
            files.append((options["csv"], figures_csv(content)))
        if options["json"]:
            files.append((options["json"], json.dumps(content, ensure_ascii=False, indent=1)))
        if not files:
            self.stdout.write(content["title"])
            for paragraph in content["summary"]:
                self.stdout.write(paragraph)
            for section in content["sections"]:
                self.stdout.write(f"\n{section['heading']}")
                for paragraph in section["paragraphs"]:
                    self.stdout.write(paragraph)
            return
        try:
            write_atomically(files)
        except OSError as exc:
            raise CommandError(f"nothing written: {exc.strerror or exc}") from exc
        hidden = content["hidden"]
        for path, _content in files:
            self.stdout.write(f"{path}: written ({hidden} figures hidden)")
