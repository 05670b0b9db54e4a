"""Reading a JSON file so that every problem names FILE:LINE, the JSON path of the field
and what is wrong, all problems of a file at once. Pure (no Django): the offer catalogue
(``offers.catalogue``) and the readers of the BA's answers (``employers.jobsuche``,
``offers.ba_import``) use it.

- ``read_json(data, file=, decimals=False)``: the file as a tree of ``Node``s, each value
  with the line it starts on and its path (``offers[3].funding[0].amount_eur``). A bad
  encoding or malformed JSON raise ImportFailed at once (nothing else can be read).
- ``Problems``: the problems of one file, collected.
- ``Fields``: one JSON object's members read as a type (text, integer, number, date,
  boolean, array, object, objects), each wrong or missing one recorded as a problem and
  read as empty, so reading goes on to the end of the file.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
import json
import math
import re
import zoneinfo
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Self

from doconnect.files.importing import (
    ImportFailed,
    ImportProblem,
    date_window_problem,
    decode_utf8,
    parse_iso_date,
)

# Python's json also reads NaN and Infinity, which JSON does not have; they are kept as
# values (so reading goes on) and refused where a number is read.
_SYNTAX = json.JSONDecoder()
_FLOATS = json.JSONDecoder(parse_constant=float)
# Decimal, not float, so 0.1 + 0.2 style surprises never reach an amount of money.
_DECIMALS = json.JSONDecoder(parse_float=Decimal, parse_constant=Decimal)
_DATE_WITH_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?")
# Milliseconds since 1970 (the BA's timestamps) mean a day in Germany.
_BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
# Hostile input: no file the platform reads nests deeper than a dozen levels, and none
# is near this size; 100,000 nested ``[`` used to end in a RecursionError (a traceback on
# the CLI, HTTP 500 on the scenario upload). Both are checked before parsing.
MAX_DEPTH = 64
MAX_BYTES = 200 * 1024 * 1024
# A string (skipped whole, escapes included) or a bracket.
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]++|\\.)*+"|[\[\]{}]')


# --- the located tree -----------------------------------------------------------------


class Node:
    """One JSON value, the line it starts on and how to reach it (its path; "" for the
    whole file). An object's or array's parts are Nodes too, made when asked for."""

    __slots__ = ("_line", "_lines", "_offset", "_parts", "duplicate_keys", "path", "value")

    def __init__(
        self,
        value: Any,
        line: int | None,
        path: str,
        parts: dict[str, Node | int] | list[Node | int] | None = None,
        lines: _Lines | None = None,
        duplicate_keys: Sequence[tuple[str, int]] = (),
        offset: int = 0,
    ) -> None:
        self.value = value
        # Without ``line``, it is looked up from ``offset`` in ``lines`` when asked for:
        # most values of a large file are read, few are ever reported.
        self._line = line
        self._offset = offset
        self.path = path
        # Of each member (object) or item (array): its Node if it is an object or an
        # array, else where it starts in the text.
        self._parts = parts
        self._lines = lines
        # Keys given again in this object, with the line of each repetition: json keeps
        # the last silently, which would hide a copy-and-paste mistake.
        self.duplicate_keys = duplicate_keys

    @property
    def line(self) -> int:
        if self._line is None:
            assert self._lines is not None
            self._line = self._lines.line_of(self._offset)
        return self._line

    def __repr__(self) -> str:
        return f"Node({self.value!r}, line={self.line}, path={self.path!r})"

    def _part(self, part: Node | int, value: Any, path: str) -> Node:
        if isinstance(part, Node):
            return part
        return Node(value, None, path, lines=self._lines, offset=part)

    def member_names(self) -> list[str]:
        """An object's keys in the file's order; empty for other values."""
        return list(self._parts) if isinstance(self._parts, dict) else []

    def member(self, name: str) -> Node | None:
        """An object's member (a key given twice: the last, as json reads it)."""
        if not isinstance(self._parts, dict) or name not in self._parts:
            return None
        return self._part(self._parts[name], self.value[name], self.child_path(name))

    @property
    def members(self) -> dict[str, Node]:
        """An object's members by key, in the file's order (a key given twice: where it
        was first given, with the last value); empty for other values."""
        if not isinstance(self._parts, dict):
            return {}
        return {
            name: self._part(part, self.value[name], self.child_path(name))
            for name, part in self._parts.items()
        }

    @property
    def items(self) -> list[Node]:
        """An array's items; empty for other values."""
        if not isinstance(self._parts, list):
            return []
        return [
            self._part(part, self.value[i], f"{self.path}[{i}]")
            for i, part in enumerate(self._parts)
        ]

    def child_path(self, name: str) -> str:
        if not name:
            return self.path
        return f"{self.path}.{name}" if self.path else name


class _Lines:
    """The line of an offset in a text."""

    def __init__(self, text: str) -> None:
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1


_scanstring = json.decoder.scanstring  # type: ignore[attr-defined]
# What may stand between two tokens, and with the separator after a member or item. In
# a validated text they always match (hence the type: ignore on ``.end()`` below).
_GAP = re.compile(r"[ \t\n\r]*")
_AFTER_COMMA = re.compile(r"[ \t\n\r]*,?[ \t\n\r]*")
_AFTER_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")


class _Locator:
    """Walks an already validated JSON text once."""

    def __init__(self, text: str, decoder: json.JSONDecoder, file: str) -> None:
        self.text = text
        self.file = file
        self.scan = decoder.scan_once  # type: ignore[attr-defined]
        self.lines = _Lines(text)

    def node(self, idx: int, path: str) -> tuple[Node, int]:
        """The value starting at ``idx`` and the offset after it."""
        if self.text[idx] in "{[":
            return self.container(idx, path, 1)
        value, end = self.scan(self.text, idx)
        return Node(value, self.lines.line_of(idx), path), end

    def container(self, idx: int, path: str, depth: int) -> tuple[Node, int]:
        """The object or array starting at ``idx`` (``depth`` levels deep) and the
        offset after it. Its scalars are read here, not in a call each: most values are
        scalars."""
        if depth > MAX_DEPTH:
            raise _too_deep(self.text, self.file, idx)
        text, scan, gap, after_comma = self.text, self.scan, _GAP.match, _AFTER_COMMA.match
        start = idx
        if text[idx] == "{":
            obj: dict[str, Any] = {}
            members: dict[str, Node | int] = {}
            duplicate_keys: list[tuple[str, int]] = []
            idx = gap(text, idx + 1).end()  # type: ignore[union-attr]
            while text[idx] != "}":
                name, name_end = _scanstring(text, idx + 1)
                if name in obj:
                    duplicate_keys.append((name, self.lines.line_of(idx)))
                idx = _AFTER_COLON.match(text, name_end).end()  # type: ignore[union-attr]
                if text[idx] in "{[":
                    child, idx = self.container(idx, f"{path}.{name}" if path else name, depth + 1)
                    obj[name], members[name] = child.value, child
                else:
                    members[name] = idx
                    obj[name], idx = scan(text, idx)
                idx = after_comma(text, idx).end()  # type: ignore[union-attr]
            node = Node(obj, None, path, members, self.lines, duplicate_keys, offset=start)
            return node, idx + 1
        values: list[Any] = []
        items: list[Node | int] = []
        idx = gap(text, idx + 1).end()  # type: ignore[union-attr]
        while text[idx] != "]":
            if text[idx] in "{[":
                child, idx = self.container(idx, f"{path}[{len(values)}]", depth + 1)
                values.append(child.value)
                items.append(child)
            else:
                items.append(idx)
                value, idx = scan(text, idx)
                values.append(value)
            idx = after_comma(text, idx).end()  # type: ignore[union-attr]
        return Node(values, None, path, items, self.lines, offset=start), idx + 1


def _too_deep(text: str, file: str, offset: int) -> ImportFailed:
    line = text.count("\n", 0, offset) + 1
    column = offset - text.rfind("\n", 0, offset)
    return ImportFailed(
        [
            ImportProblem(
                file,
                line,
                "",
                f"nested deeper than {MAX_DEPTH} levels (column {column}); "
                "no file of the platform nests that deep",
            )
        ]
    )


def _check_depth(text: str, file: str) -> None:
    """ImportFailed at the bracket where the nesting gets deeper than MAX_DEPTH (strings
    are skipped, so a bracket inside one does not count)."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        char = text[match.start()]
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(text, file, match.start())
        elif char in "]}":
            depth -= 1


def refuse_too_big(size: int, *, file: str) -> None:
    """ImportFailed when a file read whole has more than MAX_BYTES; called with the
    file's size before it is read (``doconnect import``) and again on the bytes."""
    if size > MAX_BYTES:
        raise ImportFailed(
            [
                ImportProblem(
                    file,
                    1,
                    "",
                    f"the file has {size // 2**20:,} MB, more than "
                    f"{MAX_BYTES // 2**20:,} MB; split it",
                )
            ]
        )


def read_json(data: bytes, *, file: str, decimals: bool = False) -> Node:
    """The file's JSON with the line and path of every value. Numbers with a fraction
    are floats, or Decimals with ``decimals``. A bad encoding or malformed JSON raise
    ImportFailed at once (nothing else can be read)."""
    refuse_too_big(len(data), file=file)
    text = decode_utf8(data, file=file)
    try:
        _SYNTAX.decode(text)
    except RecursionError:
        # Deeper than Python's parser goes: find the line (only now, it costs a scan).
        _check_depth(text, file)
        raise
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [ImportProblem(file, exc.lineno, "", f"malformed JSON: {exc.msg} (column {exc.colno})")]
        ) from exc
    locator = _Locator(text, _DECIMALS if decimals else _FLOATS, file)
    start = _GAP.match(text)
    # The walk makes many small objects and no cycles; the cyclic garbage collector
    # would only rescan them again and again (it doubled the time on large files).
    paused = gc.isenabled()
    gc.disable()
    try:
        node, _end = locator.node(start.end() if start else 0, "")
    finally:
        if paused:
            gc.enable()
    return node


# --- values in messages ---------------------------------------------------------------


def _is_finite(value: float | Decimal) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def _is_finite_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    return isinstance(value, int) or _is_finite(value)


def json_type(value: object) -> str:
    """What a value is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, float | Decimal) and not _is_finite(value):
        return "NaN/Infinity, which JSON does not allow"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _as_json_number(value: object) -> object:
    return float(value) if isinstance(value, Decimal) else str(value)


def shown(value: object) -> str:
    """A value as it looks in the file, shortened for a one-line message."""
    text = json.dumps(value, ensure_ascii=False, default=_as_json_number)
    return text if len(text) <= 40 else text[:37] + "…"


def found(value: object) -> str:
    """A value of the wrong type, for "expected …, found …": its type and how it looks."""
    return "null" if value is None else f"{json_type(value)} ({shown(value)})"


# --- problems and typed fields --------------------------------------------------------


class Problems:
    """Problems of one file, collected so the user sees all of them at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[ImportProblem] = []

    def add(self, line: int, path: str, message: str) -> None:
        self.found.append(ImportProblem(self.file, line, path, message))

    def raise_if_any(self) -> None:
        if self.found:
            raise ImportFailed(self.found)


class Fields:
    """Reads one JSON object's members, recording a problem (line, JSON path, what is
    wrong) for each one that is missing or of the wrong type, and reading it as empty.

    ``line``: report every problem of this object, and of the objects read through it,
    on this line (where the whole record starts) instead of the line of each value.

    ``lenient`` reads what the BA's answers send: text may be a number, an integer may be
    written as text of digits, a day may have a time after it or be milliseconds since
    1970 (a day in Germany); text is trimmed."""

    def __init__(
        self, node: Node, problems: Problems, *, line: int | None = None, lenient: bool = False
    ) -> None:
        self.node = node
        self.problems = problems
        self.line = line
        self.lenient = lenient

    def child(self, node: Node) -> Self:
        """The fields of an object inside this one, read the same way."""
        return type(self)(node, self.problems, line=self.line, lenient=self.lenient)

    def problem(self, name: str, message: str, line: int | None = None) -> None:
        """A problem with member ``name`` ("" for the object itself), on ``line`` (the
        object's own line if not given)."""
        if self.line is not None:
            line = self.line
        elif line is None:
            line = self.node.line
        self.problems.add(line, self.node.child_path(name), message)

    def has(self, name: str) -> bool:
        child = self.node.member(name)
        return child is not None and child.value is not None

    def get(self, name: str, *, required: bool = False) -> Node | None:
        """The member's node; None if it is absent or null (a problem if ``required``)."""
        child = self.node.member(name)
        if child is None or child.value is None:
            if required:
                if child is None:
                    self.problem(name, "is missing")
                else:
                    self.problem(name, "must not be null", child.line)
            return None
        return child

    def check_keys(self, allowed: Sequence[str]) -> None:
        """A key given twice and a key not in ``allowed`` are problems."""
        for key, line in self.node.duplicate_keys:
            self.problem(key, "given twice in the same object", line)
        for key in self.node.member_names():
            if key not in allowed:
                child = self.node.member(key)
                assert child is not None
                self.problem(
                    key, f"unknown field; expected one of: {', '.join(allowed)}", child.line
                )

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        child = self.get(name, required=required)
        if child is None:
            return ""
        value = child.value
        if self.lenient and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.problem(name, f"expected a string, found {found(value)}", child.line)
            return ""
        if self.lenient:
            value = value.strip()
        if required and not value.strip():
            self.problem(name, "must not be empty", child.line)
        elif max_length is not None and len(value) > max_length:
            self.problem(name, f"longer than {max_length} characters", child.line)
        return value

    def optional_text(self, name: str, *, max_length: int | None = None) -> str | None:
        """The text, or None when the member is absent or null."""
        return self.text(name, max_length=max_length) if self.has(name) else None

    def integer(
        self,
        name: str,
        *,
        required: bool = False,
        minimum: int = 0,
        maximum: int | None = None,
        what: str = "number",
    ) -> int | None:
        """A whole number from ``minimum`` to ``maximum`` (``what`` names it in the
        message when it is too large)."""
        child = self.get(name, required=required)
        if child is None:
            return None
        value = child.value
        if self.lenient and isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not _is_finite_number(value):
            self.problem(name, f"expected a whole number, found {found(value)}", child.line)
            return None
        if value != int(value):
            self.problem(name, f"expected a whole number, found {value}", child.line)
            return None
        number = int(value)
        if number < minimum:
            self.problem(
                name,
                f"must not be negative, found {number}"
                if minimum == 0
                else f"must be at least {minimum}, found {number}",
                child.line,
            )
            return None
        if maximum is not None and number > maximum:
            self.problem(name, f"{what} {number} is larger than {maximum}", child.line)
            return None
        return number

    def number(self, name: str, *, required: bool = False) -> Decimal | float | int | None:
        """A finite number (a Decimal when the file was read with ``decimals``)."""
        child = self.get(name, required=required)
        if child is None:
            return None
        if not _is_finite_number(child.value):
            self.problem(name, f"expected a number, found {found(child.value)}", child.line)
            return None
        number: Decimal | float | int = child.value
        return number

    def boolean(self, name: str, *, required: bool = False) -> bool | None:
        child = self.get(name, required=required)
        if child is None:
            return None
        if not isinstance(child.value, bool):
            self.problem(name, f"expected true or false, found {found(child.value)}", child.line)
            return None
        return child.value

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        """A day as YYYY-MM-DD (``lenient``: also with a time after it, ignored, or as
        milliseconds since 1970)."""
        child = self.get(name, required=required)
        if child is None:
            return None
        value = child.value
        if isinstance(value, str):
            if self.lenient:
                match = _DATE_WITH_TIME.fullmatch(value.strip())
                day = parse_iso_date(match.group(1)) if match else None
            else:
                day = parse_iso_date(value)
            if day is not None:
                return self._plausible(name, day, child.line)
        elif self.lenient and isinstance(value, int) and not isinstance(value, bool):
            try:
                day = dt.datetime.fromtimestamp(value / 1000, tz=_BERLIN).date()
            except (OverflowError, OSError, ValueError):
                pass
            else:
                return self._plausible(name, day, child.line)
        expected = "YYYY-MM-DD or milliseconds since 1970" if self.lenient else "YYYY-MM-DD"
        self.problem(name, f"expected a date as {expected}, found {shown(value)}", child.line)
        return None

    def _plausible(self, name: str, day: dt.date, line: int) -> dt.date | None:
        problem = date_window_problem(day)
        if problem is None:
            return day
        self.problem(name, problem, line)
        return None

    def period(
        self, start: str = "start", end: str = "end", *, required: bool = False
    ) -> tuple[dt.date | None, dt.date | None]:
        """Two dates of which the second must not come before the first (reported on the
        object's line, where the two are read together)."""
        first, last = self.date(start, required=required), self.date(end, required=required)
        if first is not None and last is not None and last < first:
            self.problem(end, f"{last} is before {start} {first}")
        return first, last

    def array(self, name: str, *, required: bool = False) -> list[Node]:
        """The elements of an array member."""
        child = self.get(name, required=required)
        if child is None:
            return []
        if not isinstance(child.value, list):
            self.problem(name, f"expected an array, found {found(child.value)}", child.line)
            return []
        return child.items

    def obj(self, name: str, *, required: bool = False) -> Self | None:
        child = self.get(name, required=required)
        if child is None:
            return None
        if not isinstance(child.value, dict):
            self.problem(name, f"expected an object, found {found(child.value)}", child.line)
            return None
        return self.child(child)

    def objects(self, name: str, *, required: bool = False) -> list[Self]:
        """The objects of an array member; an element that is not an object is a
        problem."""
        result = []
        for index, item in enumerate(self.array(name, required=required)):
            if isinstance(item.value, dict):
                result.append(self.child(item))
            else:
                self.problem(
                    f"{name}[{index}]", f"expected an object, found {found(item.value)}", item.line
                )
        return result
