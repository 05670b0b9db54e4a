"""The agreement as a PDF for the person to take home: plain German, both sides with
owners and due dates, the review date, strengths and support needs in words, where to
get help. Rendered with WeasyPrint from a template, as the yearly report is
(``transparency/render.py``): the fonts are the machine's own, and nothing is fetched
from anywhere (every URL the template might name is refused), so the PDF can only
hold what the template was given: this one agreement of this one person."""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

from django.template.loader import render_to_string
from django.utils import translation

from doconnect.people.access import PersonRecord
from doconnect.people.agreements.selectors import AgreementView


def _refuse(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    raise ValueError(f"the agreement PDF loads nothing from outside ({url[:40]})")


def agreement_pdf_name(record: PersonRecord, view: AgreementView) -> str:
    return f"vereinbarung-{record.person.public_id}-{view.agreement.pk}.pdf"


def agreement_pdf(record: PersonRecord, view: AgreementView, *, today: dt.date) -> bytes:
    """The PDF of one agreement; ``record`` must show the person with personal data
    (the name it is addressed to)."""
    from weasyprint import HTML  # heavy; only loaded for PDFs

    personal = record.personal
    with translation.override("de"):
        html = render_to_string(
            "agreements/agreement_pdf.html",
            {
                "person": record.person,
                "name": f"{personal.given_name} {personal.family_name}" if personal else "",
                "view": view,
                "agreement": view.agreement,
                "today": today,
            },
        )
    return bytes(HTML(string=html, url_fetcher=_refuse).write_pdf())
