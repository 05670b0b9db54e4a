"""The geometry every import places by (``core/geo.py``): coordinate systems, checks of
a boundary, and which district a point lies in."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Polygon

from doconnect.core.geo import (
    DistrictLocator,
    GeometryError,
    Placed,
    Placement,
    area_problem,
    crs_from,
    geojson_of,
    overlaps,
    point_to_wgs84,
    to_wgs84,
)

# GRS 80, the ellipsoid of ETRS89; UTM's scale on the central meridian.
A = 6_378_137.0
F = 1 / 298.257222101
K0 = 0.9996


def meridian_arc(latitude: float) -> float:
    """Distance along the meridian from the equator (Helmert's series), written out
    here so the check does not lean on pyproj itself."""
    e2 = F * (2 - F)
    e4, e6 = e2 * e2, e2 * e2 * e2
    phi = math.radians(latitude)
    return A * (
        (1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
        - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * math.sin(2 * phi)
        + (15 * e4 / 256 + 45 * e6 / 1024) * math.sin(4 * phi)
        - (35 * e6 / 3072) * math.sin(6 * phi)
    )


def square(x: float, y: float, size: float = 1.0) -> Polygon:
    return Polygon([(x, y), (x + size, y), (x + size, y + size), (x, y + size)])


def test_a_point_on_utm_32n_s_central_meridian_lands_at_9_degrees_east() -> None:
    # Zone 32's central meridian is 9° E, its false easting 500 km; the northing there
    # is the meridian arc times 0.9996.
    northing = K0 * meridian_arc(51.0)
    lon, lat = point_to_wgs84(500_000.0, northing, crs_from("EPSG:25832"))
    assert lon == pytest.approx(9.0, abs=1e-9)
    assert lat == pytest.approx(51.0, abs=1e-7)  # about a centimetre


def test_a_whole_boundary_is_moved_corner_by_corner_as_the_point_is() -> None:
    utm = crs_from("urn:ogc:def:crs:EPSG::25832")
    moved = to_wgs84(square(390_000, 5_708_000, 2_000), utm)
    first = moved.exterior.coords[0]
    assert first == pytest.approx(point_to_wgs84(390_000, 5_708_000, utm))
    assert 7.41 < first[0] < 7.42 and 51.51 < first[1] < 51.52  # the Ruhr, not the sea


def test_an_unknown_coordinate_system_is_named() -> None:
    with pytest.raises(GeometryError, match='unknown coordinate system "EPSG:99999999"'):
        crs_from("EPSG:99999999")


def test_a_self_intersecting_boundary_is_not_a_valid_polygon() -> None:
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    problem = area_problem(bowtie)
    assert problem is not None and "Self-intersection" in problem
    assert area_problem(square(0, 0)) is None
    assert area_problem(Polygon()) == "the boundary is empty (no area)"


def test_overlaps_beyond_a_sliver_are_found_and_a_sliver_is_tolerated() -> None:
    left, half_over, sliver = square(0, 0, 10), square(5, 0, 10), square(9.995, 0, 10)
    found = overlaps([left, half_over])
    assert [(o.first, o.second, round(o.share, 2)) for o in found] == [(0, 1, 0.5)]
    assert overlaps([left, sliver]) == []  # 0.05 % of a district: drawn a little apart


def test_stored_boundaries_are_rounded_geojson_the_maps_can_draw() -> None:
    stored = geojson_of(square(7.123456789, 51.0, 0.01))
    assert stored["type"] == "Polygon"
    assert [7.1234568, 51.0] in stored["coordinates"][0]
    assert [7.123456789, 51.0] not in stored["coordinates"][0]


def test_a_point_is_placed_in_the_one_district_whose_boundary_holds_it() -> None:
    locator = DistrictLocator(
        [
            (1, geojson_of(square(7.0, 51.0, 0.1))),
            (2, {"type": "Feature", "geometry": geojson_of(square(7.1, 51.0, 0.1))}),
            (3, None),  # a district without a boundary places nothing
        ]
    )
    inside_1, inside_2, outside, on_the_line = (
        (7.05, 51.05),
        (7.15, 51.05),
        (8.0, 51.0),
        (7.1, 51.05),
    )
    assert locator.districts_at([inside_1, inside_2, outside, None, on_the_line]) == [
        1,
        2,
        None,
        None,
        None,  # on the line between two: not a guess
    ]


def test_placement_tries_coordinates_then_the_postcode_table_and_counts_how() -> None:
    placement = Placement(DistrictLocator([(1, geojson_of(square(7.0, 51.0, 0.1)))]), {"12345": 2})
    assert placement.place((7.05, 51.05), "12345") == (1, Placed.COORDINATES)
    assert placement.place((9.0, 50.0), "12345") == (2, Placed.POSTCODE)
    assert placement.place(None, "99999") == (None, Placed.NOT_PLACED)
    assert placement.summary() == {
        "placed_by_coordinates": 1,
        "placed_by_postcode": 1,
        "not_placed": 1,
    }
