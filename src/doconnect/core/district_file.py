"""A city's district boundaries as published on open-data portals: a GeoJSON
FeatureCollection of Polygons or MultiPolygons, read and checked into WGS 84 areas.
Pure (no Django); ``core.city_services.districts_import`` writes them.

Every problem names the feature by its index and the property or member at fault, on
the line the feature starts: ``FILE:LINE: features[3].properties.name: …``."""

from __future__ import annotations

from dataclasses import dataclass

from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from doconnect.core.geo import (
    WGS84,
    GeometryError,
    area_from_geojson,
    area_problem,
    crs_from,
    crs_label,
    outside_wgs84,
    to_wgs84,
)
from doconnect.files.jsonfile import Fields, Problems, json_type, read_json, shown

KEY_MAX = 20  # District.official_key
NAME_MAX = 100  # District.name


@dataclass(frozen=True)
class DistrictFeature:
    index: int  # in features[]
    line: int
    key: str
    name: str
    area: BaseGeometry  # WGS 84 longitude/latitude
    path: str  # features[i]


@dataclass(frozen=True)
class DistrictsFile:
    file: str
    crs: str  # the coordinate system read from, e.g. EPSG:25832
    districts: tuple[DistrictFeature, ...]


def _file_crs(root: Fields) -> tuple[str | None, int]:
    """The name in the (2008 GeoJSON) ``crs`` member, or None."""
    member = root.obj("crs")
    if member is None:
        return None, root.node.line
    properties = member.obj("properties", required=True)
    if properties is None:
        return None, member.node.line
    return properties.text("name", required=True) or None, member.node.line


def _coordinate_system(root: Fields, option: str | None, problems: Problems) -> CRS | None:
    named, line = _file_crs(root)
    try:
        from_file = crs_from(named) if named else None
    except GeometryError as exc:
        problems.add(line, "crs.properties.name", f"{exc}; or give --crs")
        return None
    try:
        given = crs_from(option) if option else None
    except GeometryError as exc:
        problems.add(1, "--crs", str(exc))
        return None
    if from_file is not None and given is not None and not from_file.equals(given):
        problems.add(
            line,
            "crs",
            f"the file says {crs_label(from_file)}, --crs says {crs_label(given)}; "
            "leave out --crs or correct the file",
        )
        return None
    # RFC 7946: GeoJSON without a crs member is WGS 84 longitude/latitude.
    return given or from_file or WGS84


def _property(properties: Fields | None, name: str, *, option: str, limit: int) -> str:
    """A property as text (a number is read as its digits), with a problem naming the
    properties there are when it is missing."""
    if properties is None:
        return ""
    node = properties.node.member(name)
    if (
        node is None
        or node.value is None
        or (isinstance(node.value, str) and not node.value.strip())
    ):
        there = ", ".join(properties.node.member_names()) or "none"
        properties.problem(
            name, f"is missing or empty (the feature has: {there}); name another with {option}"
        )
        return ""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, str | int):
        properties.problem(
            name, f"expected text or a whole number, found {shown(value)}", node.line
        )
        return ""
    text = str(value).strip()
    if len(text) > limit:
        properties.problem(name, f"longer than {limit} characters", node.line)
        return ""
    return text


def _feature(
    fields: Fields, index: int, *, name_property: str, key_property: str, crs: CRS
) -> DistrictFeature | None:
    node = fields.node
    if fields.text("type") != "Feature":
        fields.problem("type", f'expected "Feature", found {shown(node.value.get("type"))}')
    properties = fields.obj("properties", required=True)
    key = _property(properties, key_property, option="--key-property", limit=KEY_MAX)
    name = _property(properties, name_property, option="--name-property", limit=NAME_MAX)
    geometry = fields.obj("geometry", required=True)
    if geometry is None:
        return None
    label = f"{name or key or 'feature'}"
    try:
        area = area_from_geojson(geometry.node.value)
    except GeometryError as exc:
        fields.problem("geometry", f"{label}: {exc}")
        return None
    problem = area_problem(area)
    if problem is not None:
        fields.problem("geometry", f"{label}: {problem}")
        return None
    if crs == WGS84 and outside_wgs84(area):
        fields.problem(
            "geometry",
            f"{label}: the coordinates are not longitude/latitude (e.g. {area.bounds[0]:.0f}, "
            f"{area.bounds[1]:.0f}); give the coordinate system with --crs, e.g. EPSG:25832",
        )
        return None
    try:
        moved = to_wgs84(area, crs)
    except GeometryError as exc:
        fields.problem("geometry", f"{label}: {exc}")
        return None
    problem = area_problem(moved)
    if problem is not None:
        fields.problem("geometry", f"{label}: after transforming to WGS 84, {problem}")
        return None
    if not key or not name:
        return None
    return DistrictFeature(index, node.line, key, name, moved, node.path)


def read_districts(
    data: bytes,
    *,
    file: str,
    name_property: str = "name",
    key_property: str = "key",
    crs: str | None = None,
) -> DistrictsFile:
    """Read and check a districts file. Raises ImportFailed with every problem: not a
    FeatureCollection, an unknown coordinate system, a feature without the name or key
    property, a geometry that is not a valid, non-empty (Multi)Polygon, a name or key
    given twice. Overlaps are checked on import, together with the districts stored."""
    root = read_json(data, file=file)
    problems = Problems(file)
    if not isinstance(root.value, dict) or root.value.get("type") != "FeatureCollection":
        found = root.value.get("type") if isinstance(root.value, dict) else json_type(root.value)
        problems.add(
            root.line, "type", f"expected a GeoJSON FeatureCollection, found {shown(found)}"
        )
        problems.raise_if_any()
    top = Fields(root, problems)
    coordinate_system = _coordinate_system(top, crs, problems)
    problems.raise_if_any()
    assert coordinate_system is not None
    feature_fields = top.objects("features", required=True)
    if not feature_fields and not problems.found:
        problems.add(root.line, "features", "is empty: the file holds no districts")
    districts: list[DistrictFeature] = []
    first_key: dict[str, DistrictFeature] = {}
    first_name: dict[str, DistrictFeature] = {}
    for index, fields in enumerate(feature_fields):
        district = _feature(
            fields,
            index,
            name_property=name_property,
            key_property=key_property,
            crs=coordinate_system,
        )
        if district is None:
            continue
        for seen, value, prop in (
            (first_key, district.key, key_property),
            (first_name, district.name, name_property),
        ):
            earlier = seen.get(value)
            if earlier is not None:
                fields.problem(
                    f"properties.{prop}",
                    f"{shown(value)} given twice (first in {earlier.path}, line {earlier.line})",
                )
            else:
                seen[value] = district
        districts.append(district)
    problems.raise_if_any()
    return DistrictsFile(file=file, crs=crs_label(coordinate_system), districts=tuple(districts))
