"""The city's district boundaries as geometry: coordinate systems, checks, and which
district a point lies in. Pure (no Django): the district import, the BA vacancy and
offer imports and the organisation import all place by this one module.

Boundaries are stored as GeoJSON geometries (Polygon or MultiPolygon) in WGS 84
(longitude, latitude), the form the labour-market maps draw. shapely does the geometry
(validity, overlaps, the STRtree spatial index), pyproj the transformation from the
city's coordinate system (often ETRS89 / UTM 32N, EPSG:25832)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

WGS84 = CRS.from_epsg(4326)
# Two districts may share a sliver where the published outlines were drawn a little
# apart; more than this share of the smaller district's area is a real overlap.
OVERLAP_TOLERANCE = 0.001
# Stored coordinates are rounded to 7 decimals (about 1 cm): enough for a boundary,
# and the stored JSON stays small.
_PRECISION = 1e-7
_AREAS = ("Polygon", "MultiPolygon")


class GeometryError(ValueError):
    """A geometry or coordinate system that cannot be used; the message says why."""


def crs_from(name: str) -> CRS:
    """A coordinate system from what a file or the user names: ``EPSG:25832``,
    ``urn:ogc:def:crs:EPSG::25832``, ``urn:ogc:def:crs:OGC:1.3:CRS84``."""
    try:
        return CRS.from_user_input(name.strip())
    except CRSError as exc:
        raise GeometryError(f'unknown coordinate system "{name}" (e.g. EPSG:25832)') from exc


def crs_label(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _transformer(source: CRS) -> Transformer:
    # always_xy: GeoJSON writes easting before northing and longitude before latitude,
    # whatever axis order the coordinate system's definition has.
    return Transformer.from_crs(source, WGS84, always_xy=True)


def to_wgs84(geometry: BaseGeometry, source: CRS) -> BaseGeometry:
    """The geometry in WGS 84 longitude/latitude."""
    if source == WGS84 or crs_label(source) in ("EPSG:4326", "OGC:CRS84"):
        return geometry
    transformer = _transformer(source)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    moved = shapely.transform(geometry, move)
    if not np.all(np.isfinite(shapely.get_coordinates(moved))):
        raise GeometryError(
            f"the coordinates cannot be transformed from {crs_label(source)} to WGS 84; "
            "is the coordinate system right?"
        )
    return moved


def point_to_wgs84(x: float, y: float, source: CRS) -> tuple[float, float]:
    """(longitude, latitude) of one point given in ``source``."""
    lon, lat = _transformer(source).transform(x, y)
    return float(lon), float(lat)


def area_from_geojson(value: Mapping[str, Any]) -> BaseGeometry:
    """A Polygon or MultiPolygon from a GeoJSON geometry object; GeometryError with the
    reason when it is not one or its coordinates are malformed."""
    kind = value.get("type")
    if kind not in _AREAS:
        raise GeometryError(f"expected a Polygon or MultiPolygon, found {kind!r}")
    try:
        geometry = shape(value)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
        raise GeometryError(f"malformed {kind} coordinates ({exc})") from exc
    if not np.all(np.isfinite(shapely.get_coordinates(geometry))):
        raise GeometryError(f"the {kind} has coordinates that are not numbers")
    return geometry


def area_problem(geometry: BaseGeometry) -> str | None:
    """Why a district's area is unusable (empty, self-intersecting …), or None."""
    if geometry.is_empty:
        return "the boundary is empty (no area)"
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        return f"the boundary is not a valid polygon: {reason}"
    if geometry.area == 0:
        return "the boundary is empty (no area)"
    return None


def outside_wgs84(geometry: BaseGeometry) -> bool:
    """True when the coordinates cannot be longitude/latitude (a projected file read as
    WGS 84: the coordinate system is missing or wrong)."""
    minx, miny, maxx, maxy = geometry.bounds
    return minx < -180 or maxx > 180 or miny < -90 or maxy > 90


def geojson_of(geometry: BaseGeometry) -> dict[str, Any]:
    """The stored form: a GeoJSON geometry, coordinates rounded to about a centimetre."""
    rounded = shapely.set_precision(geometry, _PRECISION)
    value: dict[str, Any] = json.loads(shapely.to_geojson(rounded))
    return value


@dataclass(frozen=True)
class Overlap:
    first: int  # the indexes of the two areas in the sequence checked
    second: int
    share: float  # of the smaller area


def overlaps(
    areas: Sequence[BaseGeometry], *, tolerance: float = OVERLAP_TOLERANCE
) -> list[Overlap]:
    """The pairs of areas overlapping by more than ``tolerance`` of the smaller one.
    Shares are taken in the coordinates given (compare areas in one system)."""
    tree = shapely.STRtree(list(areas))
    left, right = tree.query(list(areas), predicate="intersects")
    found = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        a, b = areas[i], areas[j]
        smaller = min(a.area, b.area)
        share = a.intersection(b).area / smaller if smaller > 0 else 0.0
        if share > tolerance:
            found.append(Overlap(i, j, share))
    return found


def boundary_area(boundary: Mapping[str, Any]) -> BaseGeometry | None:
    """The area of a stored boundary (a geometry, a Feature or a FeatureCollection, as
    the maps read them), or None when it holds none."""
    kind = boundary.get("type")
    if kind == "Feature":
        geometry = boundary.get("geometry")
        return boundary_area(geometry) if isinstance(geometry, Mapping) else None
    if kind == "FeatureCollection":
        parts = [boundary_area(f) for f in boundary.get("features") or [] if isinstance(f, Mapping)]
        found = [p for p in parts if p is not None]
        return shapely.union_all(found) if found else None
    try:
        return area_from_geojson(boundary)
    except GeometryError:
        return None


# --- placing points -------------------------------------------------------------------


class Placed(StrEnum):
    """How a record got its district."""

    COORDINATES = "coordinates"
    POSTCODE = "postcode"
    NAMED = "named"  # the file named the district itself
    NOT_PLACED = "not_placed"


def coordinates_problem(lat: float, lon: float) -> str | None:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return "coordinates must be numbers"
    if not -90 <= lat <= 90:
        return f"latitude {lat} is outside -90..90"
    if not -180 <= lon <= 180:
        return f"longitude {lon} is outside -180..180"
    return None


class DistrictLocator:
    """Which district a point (longitude, latitude in WGS 84) lies in, by an STRtree of
    the districts' boundaries. A point in no boundary, or on the line between two (or in
    a tolerated sliver both claim), has no district by coordinates: never a guess."""

    def __init__(self, boundaries: Iterable[tuple[int, Mapping[str, Any] | None]]) -> None:
        ids: list[int] = []
        areas: list[BaseGeometry] = []
        for district_id, boundary in boundaries:
            area = boundary_area(boundary) if boundary else None
            if area is not None and not area.is_empty:
                ids.append(district_id)
                areas.append(area)
        self._ids = ids
        self._tree = shapely.STRtree(areas) if areas else None

    def __bool__(self) -> bool:
        return self._tree is not None

    def districts_at(self, points: Sequence[tuple[float, float] | None]) -> list[int | None]:
        """The district of each (longitude, latitude), None where there is none."""
        result: list[int | None] = [None] * len(points)
        known = [i for i, p in enumerate(points) if p is not None]
        if self._tree is None or not known:
            return result
        geometries = shapely.points([points[i] for i in known])
        query, hit = self._tree.query(geometries, predicate="intersects")
        found: dict[int, list[int]] = {}
        for q, h in zip(query.tolist(), hit.tolist(), strict=True):
            found.setdefault(known[q], []).append(self._ids[h])
        for index, ids in found.items():
            if len(set(ids)) == 1:
                result[index] = ids[0]
        return result


@dataclass
class Placement:
    """Places records by coordinates first, the postcode table second, and counts how."""

    locator: DistrictLocator
    by_postcode: Mapping[str, int]
    counts: dict[Placed, int] = field(default_factory=lambda: dict.fromkeys(Placed, 0))

    def place(
        self, point: tuple[float, float] | None, postcode: str, *, count: bool = True
    ) -> tuple[int | None, Placed]:
        district_id, how = self.locate(point, postcode)
        if count:
            self.counts[how] += 1
        return district_id, how

    def locate(self, point: tuple[float, float] | None, postcode: str) -> tuple[int | None, Placed]:
        if point is not None and self.locator:
            district_id = self.locator.districts_at([point])[0]
            if district_id is not None:
                return district_id, Placed.COORDINATES
        district_id = self.by_postcode.get(postcode) if postcode else None
        if district_id is not None:
            return district_id, Placed.POSTCODE
        return None, Placed.NOT_PLACED

    def summary(self) -> dict[str, int]:
        """The counts for an import's summary, in a fixed order."""
        result = {
            "placed_by_coordinates": self.counts[Placed.COORDINATES],
            "placed_by_postcode": self.counts[Placed.POSTCODE],
        }
        if self.counts[Placed.NAMED]:
            result["district_named_in_file"] = self.counts[Placed.NAMED]
        result["not_placed"] = self.counts[Placed.NOT_PLACED]
        return result
