"""The vacancy endpoint: vacancies at employers (``labourmarket.employers``). Not
personal data: anybody with a membership may read them; a login without membership
gets 403."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from doconnect.core.api.auth import require_membership
from doconnect.core.api.pagination import page_body, page_of
from doconnect.core.api.schemas import Page, PageParams, district_body
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.labourmarket.schemas import VacancyFilter, VacancyOut

# Listed beside offers, providers and districts, where API clients have always found it.
router = Router(tags=["landscape"])


@router.get("/vacancies", response=Page[VacancyOut], summary="Vacancies at employers")
def list_vacancies(
    request: HttpRequest, filters: Query[VacancyFilter], paging: Query[PageParams]
) -> dict[str, object]:
    require_membership(request)
    vacancies = Vacancy.objects.select_related("employer", "district")
    if filters.district:
        vacancies = vacancies.filter(district__official_key=filters.district)
    if filters.kldb:
        vacancies = vacancies.filter(kldb__startswith=filters.kldb)
    page, count = page_of(vacancies.order_by("-published_on", "source", "reference"), paging)
    items = [
        {
            "source": v.source,
            "reference": v.reference,
            "title": v.title,
            "employer": v.employer.name if v.employer else v.employer_name,
            "kldb": v.kldb,
            "district": district_body(v.district),
            "postcode": v.postcode,
            "place": v.place,
            "published_on": v.published_on,
            "entry_on": v.entry_on,
            "positions": v.positions,
        }
        for v in page
    ]
    return page_body(items, count, paging)
