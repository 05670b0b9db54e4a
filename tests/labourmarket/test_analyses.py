"""The labour-market analyses on the database: small hand-made data, the figures worked
out by hand, the small-number rule, and a fixed number of queries however many rows."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from doconnect.core.models import District, Organisation
from doconnect.labourmarket.analyses import (
    AnalysisError,
    hiring_from_db,
    hiring_windows,
    indicator_series_from_db,
    location_quotients_from_db,
    moves_from_db,
    offers_from_db,
    potentials_from_db,
    regional_from_db,
    shift_share_from_db,
    shortage_from_db,
)
from doconnect.labourmarket.employers.models import Vacancy
from doconnect.labourmarket.engine.bridges import OfferUse
from doconnect.labourmarket.models import Statistic
from doconnect.offers.models import Offer
from doconnect.people.models import Person, Spell

AS_OF = dt.date(2026, 11, 23)
_refs = itertools.count(1)

pytestmark = pytest.mark.django_db


def stat(region: str, period: str, indicator: str, value: int | None, **dims: str) -> None:
    Statistic.objects.create(
        region=region,
        period=period,
        indicator=indicator,
        value=None if value is None else Decimal(value),
        marker="*" if value is None else "",
        **dims,
    )


def vacancies(
    kldb: str,
    n: int,
    published: dt.date,
    closed: dt.date | None = None,
    employer: Organisation | None = None,
    employer_name: str = "",
    district: District | None = None,
) -> None:
    for _ in range(n):
        Vacancy.objects.create(
            district=district,
            source="manual",
            reference=f"V{next(_refs)}",
            title=f"Stelle {kldb}",
            kldb=kldb,
            published_on=published,
            closed_on=closed,
            employer=employer,
            employer_name=employer_name,
        )


def seekers(
    kldb: str, n: int, start: dt.date = dt.date(2026, 6, 1), district: District | None = None
) -> list[Person]:
    """``n`` persons unemployed since ``start``, seeking ``kldb`` (living in ``district``)."""
    people = []
    for _ in range(n):
        person = Person.objects.create(district=district)
        Spell.objects.create(person=person, state="unemployed", start=start, kldb=kldb)
        people.append(person)
    return people


def vacancy_market() -> None:
    """81102: 5 open since 1 Jun (175 days, still open) and 5 open 181 days; 51311: 10
    open since 18 Nov and 5 closed after 10 days; 54101: 20 closed after 10 days. Days
    open of all: half closed after 10 days (Kaplan–Meier: 15 of 35 left at 10), so the
    reference median is 10; 81102's is 181."""
    vacancies("81102", 5, dt.date(2026, 6, 1))
    vacancies("81102", 5, dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    vacancies("51311", 10, dt.date(2026, 11, 18))
    vacancies("51311", 5, dt.date(2026, 10, 1), dt.date(2026, 10, 11))
    vacancies("54101", 20, dt.date(2026, 9, 1), dt.date(2026, 9, 11))
    vacancies("", 1, dt.date(2026, 11, 1))  # no occupation: not counted


# --------------------------------------------------------------------------- series


def test_series_keep_a_suppressed_month_empty_and_its_changes_too() -> None:
    stat("Dortmund", "2025-10", "unemployed", 1000)
    stat("Dortmund", "2026-08", "unemployed", 1080)
    stat("Dortmund", "2026-09", "unemployed", None)
    stat("Dortmund", "2026-10", "unemployed", 1100)
    stat("Dortmund", "2026-10", "unemployed", 600, gender="female")
    stat("NRW", "2026-10", "unemployed", 700_000)
    points = indicator_series_from_db(indicator="unemployed", region="Dortmund")
    assert [p.period for p in points] == ["2025-10", "2026-08", "2026-09", "2026-10"]
    sept, octo = points[2], points[3]
    assert sept.value is None and sept.change is None and sept.previous == 1080
    assert octo.value == 1100 and octo.previous is None and octo.change is None
    assert octo.year_ago == 1000 and octo.yoy_change == 100 and octo.yoy_pct_change == 10
    by_gender = indicator_series_from_db(indicator="unemployed", region="Dortmund", by="gender")
    assert [(p.group, p.value) for p in by_gender] == [("female", 600.0)]
    female = indicator_series_from_db(indicator="unemployed", gender="female")
    assert [(p.region, p.value) for p in female] == [("Dortmund", 600.0)]
    assert {p.region for p in indicator_series_from_db(indicator="unemployed")} == {
        "Dortmund",
        "NRW",
    }


def test_series_read_a_reference_day_as_its_month_in_one_query() -> None:
    stat("Dortmund", "2024-06-30", "employed", 100)
    stat("Dortmund", "2025-06-30", "employed", 110)
    with CaptureQueriesContext(connection) as queries:
        points = indicator_series_from_db(indicator="employed", region="Dortmund")
    assert len(queries) == 1
    assert [p.period for p in points] == ["2024-06", "2025-06"]
    assert points[1].yoy_change == 10


def test_series_refuse_unknown_names_and_say_when_nothing_is_there() -> None:
    with pytest.raises(AnalysisError, match="unknown indicator"):
        indicator_series_from_db(indicator="jobs")
    with pytest.raises(AnalysisError, match="unknown dimension"):
        indicator_series_from_db(indicator="unemployed", colour="red")
    with pytest.raises(AnalysisError, match="no statistics"):
        indicator_series_from_db(indicator="unemployed", region="Nowhere")


# --------------------------------------------------------------------------- shortage


def test_shortage_takes_job_seekers_from_the_latest_statistics_month() -> None:
    stat("Dortmund", "2026-09", "job_seekers", 10, kldb="81102")
    stat("Dortmund", "2026-10", "job_seekers", 6, kldb="81102")
    stat("Dortmund", "2026-10", "job_seekers", 50, kldb="51311")
    stat("Dortmund", "2026-10", "job_seekers", None, kldb="83112")  # kept secret
    stat("Dortmund", "2026-12", "job_seekers", 99, kldb="81102")  # after as_of: not used
    stat("Dortmund", "2026-10", "job_seekers", 3, kldb="81102", gender="female")  # not used
    vacancy_market()
    result = shortage_from_db(as_of=AS_OF, level=5)
    assert (result.source, result.region, result.period) == ("statistics", "Dortmund", "2026-10")
    assert result.vacancies_open == 15 and result.vacancies_without_kldb == 1
    table = result.table
    assert table.reference_median_days == 10
    nurse = table.row("81102")
    assert (nurse.job_seekers, nurse.vacancies, nurse.ratio) == (6, 5, 1.2)
    assert nurse.median_days_open == 181 and nurse.status == "shortage"
    # A month earlier: 10 job seekers, the 5 open since June → ratio 2.0; now tighter.
    assert nurse.previous_ratio == 2.0 and nurse.trend == "tightening"
    assert table.row("51311").ratio == 5.0 and table.row("51311").status == "surplus"
    secret = table.row("83112")
    assert secret.job_seekers is None and secret.status == "unknown"
    assert secret.reasons == ("count_suppressed",)
    by_group = shortage_from_db(as_of=AS_OF, level=3).table
    assert by_group.row("811").job_seekers == 6 and by_group.row("831").job_seekers is None


def test_shortage_prefers_the_registered_vacancies_of_the_statistics() -> None:
    """Job seekers and registered vacancies of the same cells: 81102 6 for 8 (ratio
    0.75, a month earlier 10 for 5: 2.0); 51311 50 for 5 (10.0); 83112's vacancies kept
    secret. Days open still come from the database's vacancies (81102: 181 against 10)."""
    stat("Dortmund", "2026-09", "job_seekers", 10, kldb="81102")
    stat("Dortmund", "2026-10", "job_seekers", 6, kldb="81102")
    stat("Dortmund", "2026-10", "job_seekers", 50, kldb="51311")
    stat("Dortmund", "2026-10", "job_seekers", 7, kldb="83112")
    stat("Dortmund", "2026-09", "vacancies", 5, kldb="81102")
    stat("Dortmund", "2026-10", "vacancies", 8, kldb="81102")
    stat("Dortmund", "2026-10", "vacancies", 5, kldb="51311")
    stat("Dortmund", "2026-10", "vacancies", None, kldb="83112")
    stat("Dortmund", "2026-10", "vacancies", 900, kldb="811")  # another code length
    vacancy_market()
    with CaptureQueriesContext(connection) as queries:
        result = shortage_from_db(as_of=AS_OF, level=5)
    assert len(queries) <= 3
    assert (result.source, result.vacancies_source) == ("statistics", "statistics")
    assert "registered vacancies (vacancies statistics) of Dortmund, 2026-10" in result.source_note
    assert result.vacancies_open == 15  # the database's open positions, still reported
    nurse = result.table.row("81102")
    assert (nurse.job_seekers, nurse.vacancies, nurse.ratio) == (6, 8, 0.75)
    assert nurse.median_days_open == 181 and nurse.status == "shortage"
    assert nurse.previous_ratio == 2.0 and nurse.trend == "tightening"
    assert result.table.row("51311").ratio == 10.0
    secret = result.table.row("83112")
    assert secret.vacancies is None and secret.ratio is None and secret.status == "unknown"


def test_registered_vacancies_of_another_month_are_not_used() -> None:
    stat("Dortmund", "2026-10", "job_seekers", 6, kldb="81102")
    stat("Dortmund", "2026-09", "vacancies", 8, kldb="81102")
    vacancy_market()
    result = shortage_from_db(as_of=AS_OF, level=5)
    assert result.vacancies_source == "database"
    assert result.table.row("81102").vacancies == 5  # open positions in the database
    spells = shortage_from_db(as_of=AS_OF, level=5, source="spells")
    assert spells.vacancies_source == "database"


def test_shortage_prefers_three_digit_statistics_for_coarse_levels() -> None:
    stat("Dortmund", "2026-10", "job_seekers", 40, kldb="811")
    stat("Dortmund", "2026-10", "job_seekers", 6, kldb="81102")
    stat("Dortmund", "2026-10", "job_seekers", None, kldb="81112")
    vacancy_market()
    assert shortage_from_db(as_of=AS_OF, level=3).table.row("811").job_seekers == 40
    assert shortage_from_db(as_of=AS_OF, level=2).table.row("81").job_seekers == 40
    assert shortage_from_db(as_of=AS_OF, level=5).table.row("81102").job_seekers == 6


def test_shortage_counts_running_unemployment_spells_without_statistics() -> None:
    vacancy_market()
    seekers("81102", 6)
    seekers("51311", 2)  # fewer than 5: not shown
    seekers("54101", 5, start=dt.date(2026, 11, 24))  # starts after as_of
    ended = seekers("54101", 5, start=dt.date(2026, 1, 1))
    Spell.objects.filter(person__in=ended).update(end=dt.date(2026, 11, 22))
    result = shortage_from_db(as_of=AS_OF)
    assert result.source == "spells" and "spells" in result.source_note
    assert result.period is None
    assert result.table.row("81102").job_seekers == 6
    assert result.table.row("51311").job_seekers is None
    assert result.table.row("54101").job_seekers == 0
    skill = shortage_from_db(as_of=AS_OF, level="skill").table
    assert skill.row("2").job_seekers == 6 and skill.row("2").vacancies == 5
    with pytest.raises(AnalysisError, match="no job-seeker statistics"):
        shortage_from_db(as_of=AS_OF, source="statistics")


def test_shortage_reads_a_fixed_number_of_queries() -> None:
    stat("Dortmund", "2026-10", "job_seekers", 6, kldb="81102")
    vacancy_market()
    with CaptureQueriesContext(connection) as few:
        shortage_from_db(as_of=AS_OF)
    with CaptureQueriesContext(connection) as few_spells:
        shortage_from_db(as_of=AS_OF, source="spells")
    for code in ("29301", "62101", "71402"):
        stat("Dortmund", "2026-10", "job_seekers", 30, kldb=code)
        vacancies(code, 7, dt.date(2026, 8, 1))
        seekers(code, 6)
    with CaptureQueriesContext(connection) as many:
        shortage_from_db(as_of=AS_OF)
    with CaptureQueriesContext(connection) as many_spells:
        shortage_from_db(as_of=AS_OF, source="spells")
    assert len(few) == len(many) == 2
    assert len(few_spells) == len(many_spells) == 2


def test_shortage_refuses_bad_levels_and_an_empty_city() -> None:
    with pytest.raises(AnalysisError, match="level"):
        shortage_from_db(as_of=AS_OF, level="7")
    with pytest.raises(AnalysisError, match="no job seekers and no vacancies"):
        shortage_from_db(as_of=AS_OF)


# --------------------------------------------------------------------------- regional


def employment() -> None:
    for region, period, a, b in (
        ("Dortmund", "2021-06-30", 100, 100),
        ("Dortmund", "2025-06-30", 120, 90),
        ("NRW", "2021-06-30", 1000, 3000),
        ("NRW", "2025-06-30", 1100, 3000),
    ):
        stat(region, period, "employed", a, wz="A")
        stat(region, period, "employed", b, wz="B")


def test_shift_share_and_location_quotients_by_hand() -> None:
    employment()
    result = regional_from_db(region="Dortmund", reference="NRW", start_year=2021, end_year=2025)
    ss = result.shift_share
    # G = 4100/4000 − 1 = 0.025; A: G_A = 0.1, g_A = 0.2; B: G_B = 0, g_B = −0.1.
    assert ss.reference_growth_rate == pytest.approx(0.025)
    a, b = ss.row("A"), ss.row("B")
    assert (a.reference_growth, a.industry_mix, a.local) == pytest.approx((2.5, 7.5, 10))
    assert (b.reference_growth, b.industry_mix, b.local) == pytest.approx((2.5, -2.5, -10))
    assert ss.total.change == 10
    assert result.location_quotients["A"] == pytest.approx((120 / 210) / (1100 / 4100))
    assert result.start_location_quotients["B"] == pytest.approx((100 / 200) / (3000 / 4000))
    # Defaults: the only region besides the reference, its first and last years.
    assert regional_from_db(reference="NRW").shift_share == ss
    assert (
        shift_share_from_db(region="Dortmund", reference="NRW", start_year=2021, end_year=2025)
        == ss
    )
    # A total row (all sectors) is used as the region's total.
    stat("Dortmund", "2025-06-30", "employed", 300)
    lq = location_quotients_from_db(reference="NRW", year=2025)
    assert lq["A"] == pytest.approx((120 / 300) / (1100 / 4100))


def test_regional_with_a_suppressed_sector_gives_no_totals_and_clear_errors() -> None:
    employment()
    stat("Dortmund", "2025-06-30", "employed", None, wz="C")
    stat("NRW", "2025-06-30", "employed", 50, wz="C")
    with CaptureQueriesContext(connection) as queries:
        result = regional_from_db(region="Dortmund", reference="NRW")
    assert len(queries) == 1
    assert result.shift_share.row("C").change is None and result.shift_share.total.change is None
    assert result.location_quotients["C"] is None
    with pytest.raises(AnalysisError, match="no employment by sector for Dortmund in 2019"):
        regional_from_db(region="Dortmund", reference="NRW", start_year=2019)
    with pytest.raises(AnalysisError, match="before the end"):
        regional_from_db(region="Dortmund", reference="NRW", start_year=2025, end_year=2021)
    with pytest.raises(AnalysisError, match="no employment by sector for Bayern"):
        regional_from_db(region="Dortmund", reference="Bayern")


# --------------------------------------------------------------------------- potentials


def career(*steps: tuple[str, str, dt.date]) -> None:
    person = Person.objects.create()
    for state, kldb, start in steps:
        Spell.objects.create(person=person, state=state, kldb=kldb, start=start)


def test_moves_count_consecutive_occupations_of_one_person_only() -> None:
    career(
        ("employment", "29302", dt.date(2020, 1, 1)),
        ("unemployed", "29302", dt.date(2021, 1, 1)),
        ("school", "", dt.date(2021, 6, 1)),
        ("employment", "29301", dt.date(2022, 1, 1)),
        ("employment", "29301", dt.date(2023, 1, 1)),
    )
    career(
        ("employment", "29302", dt.date(2020, 1, 1)), ("employment", "62102", dt.date(2021, 1, 1))
    )
    assert moves_from_db() == {("29302", "29301"): 1, ("29302", "62102"): 1}


def potential_city() -> Organisation:
    """81102 in shortage (5 seeking it, 10 open since August, open 181 days when filled;
    20 other vacancies filled in 10 days): gap ⌈1.5 · 10⌉ − 5 = 10. Nearby: 6 seeking
    81112 (same Berufsgruppe, no offer needed), 5 seeking 81301 (two levels away in the
    hierarchy and a skill up, but 3 observed moves 81301 → 81102, all of 81301's moves),
    2 seeking 83112 (too few: left out). Offers with free places: o-med for 81102 itself
    (3 places), o-grp for 81101 in the same Berufsgruppe (4 places), o-erz for 83112
    (another Berufsgruppe: not for 81102); o-deutsch names no occupation."""
    vacancies("81102", 10, dt.date(2026, 8, 1))
    vacancies("81102", 5, dt.date(2026, 1, 1), dt.date(2026, 7, 1))
    vacancies("54101", 20, dt.date(2026, 9, 1), dt.date(2026, 9, 11))
    seekers("81102", 5)
    seekers("81112", 6)
    seekers("81301", 5)
    seekers("83112", 2)
    for _ in range(3):
        career(
            ("employment", "81301", dt.date(2020, 1, 1)),
            ("employment", "81102", dt.date(2022, 1, 1)),
        )
    provider = Organisation.objects.create(external_id="p", name="Träger", kind="provider")
    Offer.objects.create(
        external_id="o-med",
        provider=provider,
        title="Qualifizierung Medizinische Fachangestellte",
        kind="qualification",
        occupations=["81102"],
        capacity=3,
    )
    Offer.objects.create(
        external_id="o-grp",
        provider=provider,
        title="Praxisassistenz kompakt",
        kind="further_training",
        occupations=["81101"],
        capacity=4,
    )
    Offer.objects.create(
        external_id="o-erz",
        provider=provider,
        title="Erzieher/in berufsbegleitend",
        kind="subsidised_employment",
        occupations=["83112"],
        capacity=10,
    )
    Offer.objects.create(
        external_id="o-deutsch",
        provider=provider,
        title="Berufsbezogener Deutschkurs",
        kind="qualification",
        capacity=20,
    )
    Offer.objects.create(  # not a training kind
        external_id="o-rat", provider=provider, title="Beratung Pflege", kind="counselling"
    )
    Offer.objects.create(  # ended
        external_id="o-alt",
        provider=provider,
        title="Qualifizierung Medizinische Fachangestellte 2020",
        kind="qualification",
        occupations=["81102"],
        capacity=9,
        status="ended",
    )
    return provider


def test_potentials_bridge_nearby_job_seekers_and_offer_places_into_the_shortage() -> None:
    potential_city()
    result = potentials_from_db(as_of=AS_OF)
    assert result.shortage.source == "spells"
    assert [(t.kldb, t.gap) for t in result.targets] == [("81102", 10)]
    assert result.job_seekers_occupations == 3  # 81102, 81112, 81301
    assert result.job_seekers_left_out == 1  # 83112
    assert (result.offers.matched, result.offers.generic) == (3, 1)
    assert [o.id for o in result.offers.offers] == ["o-erz", "o-grp", "o-med"]
    first, second = result.potentials
    # 81301: 0.5 · (1 − 3/7) + 0.5 · 1.0; needs an offer (skill up, other Berufsgruppe):
    # 5 places, the 3 of the exact match first, then 2 of the Berufsgruppe's.
    assert (first.source, first.needs_offer) == ("81301", True)
    assert first.offers == (
        OfferUse("o-med", 3, "exact"),
        OfferUse("o-grp", 2, "berufsgruppe"),
    )
    assert first.reasons[-2:] == ("offer_same_occupation", "offer_same_berufsgruppe")
    assert first.score == pytest.approx(0.5 * 4 / 7 + 0.5)
    assert first.potential == 5
    assert first.moves is None  # 3 moves: fewer than 5, not shown
    # 81112: 0.5 · (1 − 1/7), no offer needed, takes the rest of the gap.
    assert (second.source, second.needs_offer, second.potential) == ("81112", False, 5)
    assert result.total_potential == 10


def test_potentials_with_generic_offers_and_a_fixed_number_of_queries() -> None:
    provider = potential_city()
    with CaptureQueriesContext(connection) as few:
        potentials_from_db(as_of=AS_OF)
    vacancies("62102", 8, dt.date(2026, 10, 1))
    seekers("62101", 7)
    career(
        ("employment", "62101", dt.date(2020, 1, 1)), ("employment", "62102", dt.date(2021, 1, 1))
    )
    Offer.objects.create(
        external_id="o-verkauf",
        provider=provider,
        title="Teilqualifizierung Verkauf",
        kind="further_training",
        capacity=4,
    )
    with CaptureQueriesContext(connection) as many:
        potentials_from_db(as_of=AS_OF)
    assert len(few) == len(many) == 5
    generic = offers_from_db(AS_OF, generic_offers=True)
    deutsch = next(o for o in generic.offers if o.id == "o-deutsch")
    assert deutsch.match("81102") == deutsch.match("62102") == "any"
    assert "o-deutsch" not in [o.id for o in offers_from_db(AS_OF).offers]


# --------------------------------------------------------------------------- districts


def two_districts() -> tuple[District, District]:
    """Eving: 6 residents seek 81102, 8 positions of 81102 open there; job-seeker
    statistics by KldB for Eving say 9. Hörde: 4 residents seek 81102 and 1 seeks
    29302, 3 positions of 29302 there; no statistics by KldB. City-wide statistics: 40
    seeking 81102."""
    eving = District.objects.create(name="Eving", official_key="05913004")
    hoerde = District.objects.create(name="Hörde", official_key="05913008")
    seekers("81102", 6, district=eving)
    seekers("81102", 4, district=hoerde)
    seekers("29302", 1, district=hoerde)
    vacancies("81102", 8, dt.date(2026, 10, 1), district=eving)
    vacancies("29302", 3, dt.date(2026, 11, 1), district=hoerde)
    stat("Dortmund", "2026-10", "job_seekers", 40, kldb="81102")
    Statistic.objects.create(
        region="Eving",
        district=eving,
        period="2026-10",
        indicator="job_seekers",
        value=Decimal(9),
        kldb="81102",
    )
    return eving, hoerde


def test_shortage_for_a_district_takes_its_statistics_and_the_vacancies_placed_there() -> None:
    eving, _hoerde = two_districts()
    result = shortage_from_db(as_of=AS_OF, district=eving, min_count=1)
    (row,) = result.table.rows
    assert (result.source, result.region, result.district) == ("statistics", "Eving", eving)
    assert (row.key, row.job_seekers, row.vacancies) == ("81102", 9, 8)
    assert row.ratio == pytest.approx(9 / 8)


def test_shortage_for_a_district_without_statistics_counts_the_residents_seeking_work() -> None:
    _eving, hoerde = two_districts()
    with CaptureQueriesContext(connection) as queries:
        result = shortage_from_db(as_of=AS_OF, district=hoerde, min_count=1)
    rows = {r.key: (r.job_seekers, r.vacancies) for r in result.table.rows}
    assert result.source == "spells" and "persons living in Hörde" in result.source_note
    assert rows == {"81102": (4, 0), "29302": (1, 3)}
    assert result.vacancies_open == 3
    assert len(queries) <= 3
    with pytest.raises(AnalysisError, match="district 'Hörde'"):
        shortage_from_db(as_of=AS_OF, district=hoerde, source="statistics")


def test_hiring_for_a_district_counts_only_the_vacancies_placed_there() -> None:
    eving, hoerde = two_districts()
    kitchen = Organisation.objects.create(external_id="k", name="Küche", kind="employer")
    vacancies("29302", 2, dt.date(2026, 10, 1), employer=kitchen, district=hoerde)
    vacancies("29302", 5, dt.date(2026, 10, 1), employer=kitchen, district=eving)
    with CaptureQueriesContext(connection) as queries:
        result = hiring_from_db(as_of=AS_OF, district=hoerde)
    assert len(queries) == 1
    assert result.series == {"k": [0] * 11 + [2]} and result.district == hoerde
    mengede = District.objects.create(name="Mengede", official_key="05913007")
    with pytest.raises(AnalysisError, match="no vacancies with an employer in Mengede"):
        hiring_from_db(as_of=AS_OF, district=mengede)


# --------------------------------------------------------------------------- hiring


def test_hiring_windows_ending_on_a_months_last_day_are_whole_months() -> None:
    windows = hiring_windows(dt.date(2026, 8, 31), 4)

    assert windows == (
        (dt.date(2025, 9, 1), dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 1), dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 1), dt.date(2026, 5, 31)),
        (dt.date(2026, 6, 1), dt.date(2026, 8, 31)),
    )


def test_hiring_counts_three_month_windows_and_back_tests_the_model() -> None:
    steady = Organisation.objects.create(external_id="steady", name="Stetig", kind="employer")
    seasonal = Organisation.objects.create(external_id="seasonal", name="Saison", kind="employer")
    windows = hiring_windows(AS_OF, 12)
    assert windows[-1] == (dt.date(2026, 8, 24), AS_OF)
    assert windows[0][0] == dt.date(2023, 11, 24)
    for i, (first, last) in enumerate(windows):
        vacancies("51311", 1, first, employer=steady)
        vacancies("29301", 4 if i % 2 else 0, last, employer=seasonal)
    vacancies("51311", 1, last, employer_name="Kiosk am Markt")  # no organisation
    vacancies("51311", 3, dt.date(2023, 1, 1), employer=steady)  # before the history
    vacancies("51311", 1, dt.date(2026, 11, 24), employer=steady)  # after as_of
    with CaptureQueriesContext(connection) as queries:
        result = hiring_from_db(as_of=AS_OF)
    assert len(queries) == 1
    assert result.series["steady"] == [1] * 12
    assert result.series["seasonal"] == [0, 4] * 6
    assert result.series["name:Kiosk am Markt"] == [0] * 11 + [1]
    assert result.vacancies_counted == 12 + 24 + 1
    assert not result.first_window_partial
    report = result.backtest
    assert report.forecasts == 3 * 4  # windows 9 … 12 for each employer
    assert report.employer("seasonal").model_mae == pytest.approx(0)
    assert report.employer("seasonal").naive_mae == 4
    assert report.employer("steady").model_mae == report.employer("steady").naive_mae == 0
    by_employer = {f.employer: f for f in result.forecasts}
    assert by_employer["seasonal"].method == "model"
    assert by_employer["seasonal"].forecast == pytest.approx(0)  # window 13 is a quiet one
    assert by_employer["steady"].reason == "model_not_better"
    assert result.shipping_model == 1
    assert result.fallback_reasons == {"model_not_better": 2}
    assert result.employers["steady"] == "Stetig"


def test_hiring_says_when_there_is_nothing_to_forecast() -> None:
    with pytest.raises(AnalysisError, match="no vacancies"):
        hiring_from_db(as_of=AS_OF)
    with pytest.raises(AnalysisError, match="at least 2"):
        hiring_from_db(as_of=AS_OF, quarters=1)


# --------------------------------------------------------------------------- demo city


def test_hiring_and_potentials_on_a_small_demo_city() -> None:
    from doconnect.demo.dates import DEMO_TODAY
    from doconnect.demo.services import load_demo_city

    load_demo_city(seed=2026, scale=0.05)
    hiring = hiring_from_db(as_of=DEMO_TODAY)
    report = hiring.backtest
    assert len(hiring.series) >= 3 and hiring.vacancies_counted > 0
    assert report.forecasts == 4 * len(hiring.series)
    assert report.model_mae is not None and report.naive_mae is not None
    assert 0 <= hiring.shipping_model <= len(hiring.forecasts) == len(hiring.series)
    assert all(f.forecast >= 0 for f in hiring.forecasts)
    assert sum(hiring.fallback_reasons.values()) + hiring.shipping_model == len(hiring.forecasts)

    found = potentials_from_db(as_of=DEMO_TODAY)
    assert found.shortage.source == "spells"
    assert found.moves_observed > 0 and found.offers.matched > 0
    gaps = {t.kldb: t.gap for t in found.targets}
    assert all(t.gap >= 1 for t in found.targets)
    assert [p.rank for p in found.potentials] == list(range(1, len(found.potentials) + 1))
    for target, gap in gaps.items():
        counted = sum(p.potential or 0 for p in found.potentials if p.target == target)
        assert counted <= gap
    assert all(p.target in gaps and p.source != p.target for p in found.potentials)
    assert all(p.job_seekers is None or p.job_seekers >= 5 for p in found.potentials)
