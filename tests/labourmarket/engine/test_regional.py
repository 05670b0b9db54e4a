import pytest

from doconnect.labourmarket.engine.regional import location_quotients, shift_share

# A city with two sectors against the country (worked on paper):
#
#                  city 2020  city 2025   country 2020  country 2025
#   manufacturing      1,000        900         40,000        38,000
#   services           2,000      2,300         60,000        66,000
#   total              3,000      3,200        100,000       104,000
#
# Country growth G = 104,000 / 100,000 − 1 = 4 %; G_manufacturing = −5 %,
# G_services = +10 %; city g_manufacturing = −10 %, g_services = +15 %.
#
#                  reference growth   industry mix             local                 sum
#   manufacturing  1,000·4 % = 40     1,000·(−5−4) % = −90     1,000·(−10+5) % = −50   −100
#   services       2,000·4 % = 80     2,000·(10−4) % = 120     2,000·(15−10) % = 100    300
#   total          120                30                       50                       200
#
# Location quotients 2020: manufacturing (1,000/3,000) / (40,000/100,000) = 5/6,
# services (2,000/3,000) / (60,000/100,000) = 10/9.
CITY_2020 = {"manufacturing": 1000, "services": 2000}
CITY_2025 = {"manufacturing": 900, "services": 2300}
COUNTRY_2020 = {"manufacturing": 40000, "services": 60000}
COUNTRY_2025 = {"manufacturing": 38000, "services": 66000}


def test_the_location_quotient_of_the_paper_example() -> None:
    lq = location_quotients(CITY_2020, COUNTRY_2020)

    assert lq["manufacturing"] == pytest.approx(5 / 6)
    assert lq["services"] == pytest.approx(10 / 9)


def test_the_shift_share_of_the_paper_example() -> None:
    result = shift_share(CITY_2020, CITY_2025, COUNTRY_2020, COUNTRY_2025)

    assert result.reference_growth_rate == pytest.approx(0.04)
    m, s, total = result.row("manufacturing"), result.row("services"), result.total
    assert (m.reference_growth, m.industry_mix, m.local) == pytest.approx((40, -90, -50))
    assert (s.reference_growth, s.industry_mix, s.local) == pytest.approx((80, 120, 100))
    assert (total.reference_growth, total.industry_mix, total.local) == pytest.approx((120, 30, 50))
    assert total.change == 200


def test_the_three_effects_add_up_to_the_actual_change_in_every_sector() -> None:
    result = shift_share(
        {"a": 1234, "b": 77, "c": 9001},
        {"a": 1301, "b": 70, "c": 8730},
        {"a": 123457, "b": 8888, "c": 777777, "d": 5},
        {"a": 130001, "b": 8001, "c": 781234, "d": 9},
    )

    for row in [*result.rows, result.total]:
        assert row.reference_growth is not None and row.industry_mix is not None
        assert row.local is not None
        assert row.reference_growth + row.industry_mix + row.local == pytest.approx(
            row.change, abs=1e-9
        )
    assert result.total.change == (1301 + 70 + 8730) - (1234 + 77 + 9001)


def test_a_sector_new_in_the_city_is_all_local_effect() -> None:
    result = shift_share(
        {"a": 100, "b": 0}, {"a": 100, "b": 10}, {"a": 50, "b": 50}, {"a": 50, "b": 60}
    )

    b = result.row("b")
    assert (b.reference_growth, b.industry_mix, b.local) == (0, 0, 10)


def test_a_suppressed_figure_gives_none_for_its_sector_and_the_totals() -> None:
    result = shift_share(
        {"a": 100, "b": None},
        {"a": 110, "b": 5},
        COUNTRY_2020 | {"a": 10, "b": 10},
        {"a": 11, "b": 12},
    )

    assert result.row("b").local is None
    assert result.row("a").local is not None
    assert result.total.change is None


def test_a_location_quotient_needs_both_figures_and_nonzero_denominators() -> None:
    lq = location_quotients({"a": 10, "b": None, "c": 5}, {"a": 100, "b": 100, "c": 0})

    assert lq == {"a": None, "b": None, "c": None}  # the city total is unknown (b secret)

    lq = location_quotients(
        {"a": 10, "b": None, "c": 5},
        {"a": 100, "b": 100, "c": 0},
        region_total=20,
        reference_total=200,
    )
    assert lq == {"a": pytest.approx(1.0), "b": None, "c": None}
