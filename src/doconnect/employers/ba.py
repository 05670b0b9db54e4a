"""What every reader of the Bundesagentur für Arbeit's public APIs shares: JSON read with
the line of every value (so a problem names file, line and JSON path), typed field
readers that collect problems instead of stopping at the first, and the HTTP client
(``X-API-Key`` header, time-outs, retries with back-off, clear errors without network).

Pure: no Django. The Jobsuche reader (``employers.jobsuche``) and the Weiter- and
Ausbildungssuche reader (``offers.ba_import``) use it.
"""

from __future__ import annotations

import bisect
import datetime as dt
import email.utils
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from doconnect.core.importing import ImportFailed, ImportProblem, decode_utf8, parse_iso_date

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_DATE_PREFIX = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?")
_POSTCODE = re.compile(r"\d{5}")
# The BA's timestamps (milliseconds since 1970) mean a day in Germany.
_BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


# --- JSON with lines ------------------------------------------------------------------


@dataclass
class Node:
    """One JSON value, where it starts (line) and how to reach it (path)."""

    value: Any
    line: int
    path: str
    members: dict[str, Node] = field(default_factory=dict)  # objects
    items: list[Node] = field(default_factory=list)  # arrays

    def member(self, name: str) -> Node | None:
        return self.members.get(name)

    def child_path(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def shown(value: object) -> str:
    """A value as it looks in the file, shortened for a one-line message."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "…"


class _Locator:
    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def skip(self, idx: int) -> int:
        match = _WHITESPACE.match(self.text, idx)
        return match.end() if match else idx

    def node(self, idx: int, path: str) -> tuple[Node, int]:
        """The value starting at ``idx`` (already valid JSON) and the offset after it."""
        text = self.text
        line = self.line_of(idx)
        if text[idx] == "{":
            obj: dict[str, Any] = {}
            node = Node(obj, line, path)
            idx = self.skip(idx + 1)
            while text[idx] != "}":
                key, idx = json.decoder.scanstring(text, idx + 1)  # type: ignore[attr-defined]
                idx = self.skip(self.skip(idx) + 1)  # past ":"
                child, idx = self.node(idx, f"{path}.{key}" if path else key)
                obj[key] = child.value
                node.members[key] = child  # a repeated key: the last wins, as in json
                idx = self.skip(idx)
                if text[idx] == ",":
                    idx = self.skip(idx + 1)
            return node, idx + 1
        if text[idx] == "[":
            values: list[Any] = []
            node = Node(values, line, path)
            idx = self.skip(idx + 1)
            while text[idx] != "]":
                child, idx = self.node(idx, f"{path}[{len(values)}]")
                values.append(child.value)
                node.items.append(child)
                idx = self.skip(idx)
                if text[idx] == ",":
                    idx = self.skip(idx + 1)
            return node, idx + 1
        value, end = _DECODER.raw_decode(text, idx)
        return Node(value, line, path), end


def read_json(data: bytes, *, file: str) -> Node:
    """The file's JSON with the line of every value. A bad encoding or malformed JSON
    raise ImportFailed at once (nothing else can be read)."""
    text = decode_utf8(data, file=file)
    try:
        _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [ImportProblem(file, exc.lineno, "", f"malformed JSON: {exc.msg} (column {exc.colno})")]
        ) from exc
    locator = _Locator(text)
    node, _end = locator.node(locator.skip(0), "")
    return node


# --- typed fields ---------------------------------------------------------------------


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
    """Reads one JSON object's fields, recording a problem (with the value's line and
    its JSON path) for each one that is missing or of the wrong type."""

    def __init__(self, node: Node, problems: Problems) -> None:
        self.node = node
        self.problems = problems
        self.ok = True

    def problem(self, name: str, message: str, line: int | None = None) -> None:
        self.ok = False
        self.problems.add(
            self.node.line if line is None else line, self.node.child_path(name), message
        )

    def _get(self, name: str, required: bool) -> Node | None:
        child = self.node.member(name)
        if child is None or child.value is None:
            if required:
                self.problem(
                    name,
                    "is missing" if child is None else "must not be null",
                    None if child is None else child.line,
                )
            return None
        return child

    def has(self, name: str) -> bool:
        child = self.node.member(name)
        return child is not None and child.value is not None

    def text(self, name: str, *, required: bool = False, max_length: int = 300) -> str:
        child = self._get(name, required)
        if child is None:
            return ""
        if isinstance(child.value, bool) or not isinstance(child.value, str | int):
            self.problem(name, f"expected a string, found {json_type(child.value)}", child.line)
            return ""
        value = str(child.value).strip()
        if required and not value:
            self.problem(name, "must not be empty", child.line)
        elif len(value) > max_length:
            self.problem(name, f"longer than {max_length} characters", child.line)
            return ""
        return value

    def integer(self, name: str, *, required: bool = False, minimum: int = 0) -> int | None:
        child = self._get(name, required)
        if child is None:
            return None
        value = child.value
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(name, f"expected a whole number, found {shown(child.value)}", child.line)
            return None
        if value < minimum:
            self.problem(name, f"must be at least {minimum}, found {value}", child.line)
            return None
        return value

    def boolean(self, name: str) -> bool | None:
        child = self._get(name, False)
        if child is None:
            return None
        if not isinstance(child.value, bool):
            self.problem(name, f"expected true or false, found {shown(child.value)}", child.line)
            return None
        return child.value

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        """A day: ``YYYY-MM-DD`` (a time after it is ignored) or milliseconds since
        1970 (the Weiterbildungssuche's form), read as a day in Germany."""
        child = self._get(name, required)
        if child is None:
            return None
        value = child.value
        if isinstance(value, int) and not isinstance(value, bool):
            try:
                return dt.datetime.fromtimestamp(value / 1000, tz=_BERLIN).date()
            except (OverflowError, OSError, ValueError):
                pass
        elif isinstance(value, str):
            match = _DATE_PREFIX.fullmatch(value.strip())
            day = parse_iso_date(match.group(1)) if match else None
            if day is not None:
                return day
        self.problem(
            name,
            f"expected a date (YYYY-MM-DD or milliseconds since 1970), found {shown(value)}",
            child.line,
        )
        return None

    def postcode(self, name: str) -> str:
        """A German postcode: five digits (a number loses its leading zero in JSON, so
        1067 reads as 01067)."""
        child = self._get(name, False)
        if child is None:
            return ""
        value = child.value
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100_000:
            return f"{value:05d}"
        if isinstance(value, str) and (_POSTCODE.fullmatch(value.strip()) or not value.strip()):
            return value.strip()
        self.problem(name, f"expected a five-digit postcode, found {shown(value)}", child.line)
        return ""

    def obj(self, name: str, *, required: bool = False) -> Fields | None:
        child = self._get(name, required)
        if child is None:
            return None
        if not isinstance(child.value, dict):
            self.problem(name, f"expected an object, found {json_type(child.value)}", child.line)
            return None
        return Fields(child, self.problems)

    def objects(self, name: str, *, required: bool = False) -> list[Fields]:
        """The objects of an array member; a non-object element is a problem."""
        child = self._get(name, required)
        if child is None:
            return []
        if not isinstance(child.value, list):
            self.problem(name, f"expected an array, found {json_type(child.value)}", child.line)
            return []
        found = []
        for item in child.items:
            if isinstance(item.value, dict):
                found.append(Fields(item, self.problems))
            else:
                self.problems.add(
                    item.line, item.path, f"expected an object, found {json_type(item.value)}"
                )
                self.ok = False
        return found


# --- HTTP -----------------------------------------------------------------------------

# Worth another try: too many requests, and the gateway's passing troubles.
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER_SECONDS = 120.0


class FetchFailed(Exception):
    """The API could not be asked or did not answer usefully; the message says why and
    what to try."""


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - dt.datetime.now(tz=dt.UTC)).total_seconds())


@dataclass
class BAClient:
    """GETs JSON from one of the BA's REST services.

    A 429 or 5xx answer and a time-out are tried again ``retries`` times, waiting
    ``backoff`` seconds and twice as long each further time (or what a Retry-After
    header asks, up to two minutes). A refused connection or an unknown host are not
    tried again: they mean no network (or a wrong URL), which waiting does not fix."""

    base_url: str
    api_key: str
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    user_agent: str = "do-connect (municipal employment policy platform)"

    def url(self, path: str, params: Mapping[str, object]) -> str:
        query = urllib.parse.urlencode(
            {k: v for k, v in params.items() if v is not None and v != ""}
        )
        return f"{self.base_url.rstrip('/')}/{path.lstrip('/')}" + (f"?{query}" if query else "")

    def get(self, path: str, params: Mapping[str, object]) -> tuple[str, bytes]:
        """The URL asked and the body of its successful answer; FetchFailed otherwise."""
        url = self.url(path, params)
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchFailed(f"{url}: only http and https URLs can be asked")
        request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
            url,
            headers={
                "X-API-Key": self.api_key,
                "Accept": "application/json",
                "User-Agent": self.user_agent,
            },
        )
        attempt = 0
        while True:
            wait = self.backoff * (2**attempt)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return url, response.read()
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRY_STATUS or attempt >= self.retries:
                    hint = (
                        "; the API key (DOCONNECT_*_API_KEY) was refused"
                        if exc.code in (401, 403)
                        else ""
                    )
                    raise FetchFailed(
                        f"{url}: HTTP {exc.code} {exc.reason}"
                        + (f" after {attempt + 1} attempts" if attempt else "")
                        + hint
                    ) from exc
                asked = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
                if asked is not None:
                    wait = min(asked, MAX_RETRY_AFTER_SECONDS)
            except TimeoutError as exc:
                if attempt >= self.retries:
                    raise FetchFailed(
                        f"{url}: no answer within {self.timeout:g} s "
                        f"({attempt + 1} attempts); try again later or raise the time-out"
                    ) from exc
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    if attempt >= self.retries:
                        raise FetchFailed(
                            f"{url}: no answer within {self.timeout:g} s "
                            f"({attempt + 1} attempts); try again later or raise the time-out"
                        ) from exc
                else:
                    raise FetchFailed(
                        f"cannot reach {urllib.parse.urlsplit(url).netloc}: {exc.reason} "
                        "(no network, a proxy needed, or a wrong URL?)"
                    ) from exc
            except (ConnectionError, http.client.HTTPException) as exc:
                # The answer broke off half-way (the connection itself was made).
                if attempt >= self.retries:
                    raise FetchFailed(
                        f"{url}: the answer broke off ({exc or type(exc).__name__}) "
                        f"after {attempt + 1} attempts; try again later"
                    ) from exc
            except OSError as exc:
                raise FetchFailed(
                    f"cannot reach {urllib.parse.urlsplit(url).netloc}: {exc} "
                    "(no network, a proxy needed, or a wrong URL?)"
                ) from exc
            self.sleep(wait)
            attempt += 1

    def get_json(self, path: str, params: Mapping[str, object]) -> tuple[str, bytes, Any]:
        url, body = self.get(path, params)
        try:
            return url, body, json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchFailed(f"{url}: the answer is not JSON ({exc})") from exc


# The Jobsuche returns at most this many results for one search (page × size), however
# many it reports in ``maxErgebnisse``.
JOBSUCHE_RESULT_CAP = 10_000
JOBSUCHE_MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page:
    url: str
    number: int
    body: bytes


@dataclass
class JobsucheSearch:
    """What the search found beyond the pages: the total the API reported and whether
    the 10,000 cap cut it off."""

    pages: list[Page] = field(default_factory=list)
    reported_total: int | None = None
    capped: bool = False


def _reported_total(payload: Any) -> int | None:
    if isinstance(payload, dict):
        value = payload.get("maxErgebnisse")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
    return None


def _result_count(payload: Any) -> int:
    if isinstance(payload, dict):
        for key in ("stellenangebote", "ergebnisliste"):
            if isinstance(payload.get(key), list):
                return len(payload[key])
    return 0


def jobsuche_pages(
    client: BAClient,
    path: str,
    params: Mapping[str, object],
    *,
    size: int = JOBSUCHE_MAX_PAGE_SIZE,
    limit: int = JOBSUCHE_RESULT_CAP,
) -> Iterator[tuple[Page, int | None]]:
    """Every page of one search (pages count from 1), with the total the API reports,
    until a page comes back short, the total is reached, or ``limit`` results (never
    more than the API's 10,000: page × size stays within it) have been asked for."""
    limit = max(0, min(limit, JOBSUCHE_RESULT_CAP))
    # One page size throughout: the API counts pages in it. A limit that is not a whole
    # number of pages is rounded up to one.
    page_size = max(1, min(size, JOBSUCHE_MAX_PAGE_SIZE, limit or 1))
    number = 1
    seen = 0
    while seen < limit:
        url, body, payload = client.get_json(path, {**params, "page": number, "size": page_size})
        count = _result_count(payload)
        total = _reported_total(payload)
        yield Page(url, number, body), total
        seen += count
        if count < page_size or (total is not None and seen >= total):
            return
        number += 1
        if number * page_size > JOBSUCHE_RESULT_CAP:
            return


def jobsuche_search(
    client: BAClient,
    path: str,
    params: Mapping[str, object],
    *,
    size: int = JOBSUCHE_MAX_PAGE_SIZE,
    limit: int = JOBSUCHE_RESULT_CAP,
) -> JobsucheSearch:
    search = JobsucheSearch()
    for page, total in jobsuche_pages(client, path, params, size=size, limit=limit):
        search.pages.append(page)
        if total is not None:
            search.reported_total = total
    search.capped = (search.reported_total or 0) > JOBSUCHE_RESULT_CAP and limit >= (
        JOBSUCHE_RESULT_CAP
    )
    return search
