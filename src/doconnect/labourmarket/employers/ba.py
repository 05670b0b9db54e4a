"""What every reader of the Bundesagentur für Arbeit's public APIs shares: ``Fields``, the
typed field readers of ``core.jsonfile`` set to read the BA's answers leniently and
extended by German postcodes, and the HTTP client (``X-API-Key`` header, time-outs,
retries with back-off, clear errors without network) with the Jobsuche's paging.

Pure: no Django. The Jobsuche reader (``employers.jobsuche``) and the Weiter- and
Ausbildungssuche reader (``offers.ba_import``) use it.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from doconnect.core.geo import coordinates_problem
from doconnect.files import jsonfile

_POSTCODE = re.compile(r"\d{5}")


# --- fields ---------------------------------------------------------------------------


class Fields(jsonfile.Fields):
    """``jsonfile.Fields`` reading leniently, as the BA's answers need (a number where
    text is meant, a day with a time or in milliseconds since 1970), with postcodes."""

    def __init__(
        self,
        node: jsonfile.Node,
        problems: jsonfile.Problems,
        *,
        line: int | None = None,
        lenient: bool = True,
    ) -> None:
        super().__init__(node, problems, line=line, lenient=lenient)

    def postcode(self, name: str) -> str:
        """A German postcode: five digits (a number loses its leading zero in JSON, so
        1067 reads as 01067)."""
        child = self.get(name)
        if child is None:
            return ""
        value = child.value
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 100_000:
            return f"{value:05d}"
        if isinstance(value, str) and (_POSTCODE.fullmatch(value.strip()) or not value.strip()):
            return value.strip()
        self.problem(
            name, f"expected a five-digit postcode, found {jsonfile.shown(value)}", child.line
        )
        return ""

    def coordinates(
        self, name: str, *, lat: str = "lat", lon: str = "lon"
    ) -> tuple[float, float] | None:
        """(longitude, latitude) from an object such as ``{"lat": 51.5, "lon": 7.4}``
        (the Jobsuche v6 writes ``breite``/``laenge``); None when absent or null."""
        point = self.obj(name)
        if point is None:
            return None
        values = [point.number(key, required=True) for key in (lat, lon)]
        if values[0] is None or values[1] is None:
            return None
        latitude, longitude = float(values[0]), float(values[1])
        problem = coordinates_problem(latitude, longitude)
        if problem:
            self.problem(name, problem, point.node.line)
            return None
        return longitude, latitude


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


# The Weiterbildungssuche and the Ausbildungssuche (the BA's "infosysbub" services)
# count pages from 0 and answer ``{"_embedded": {"termine": [...]}, "page": {"size",
# "totalElements", "totalPages", "number"}}``; over all pages they too show at most
# 10,000 results.
INFOSYSBUB_RESULT_CAP = 10_000
INFOSYSBUB_MAX_PAGE_SIZE = 200


def _infosysbub_count(payload: Any) -> int:
    if isinstance(payload, dict):
        embedded = payload.get("_embedded")
        if isinstance(embedded, dict) and isinstance(embedded.get("termine"), list):
            return len(embedded["termine"])
    return 0


def _infosysbub_total(payload: Any) -> int | None:
    if isinstance(payload, dict) and isinstance(payload.get("page"), dict):
        value = payload["page"].get("totalElements")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def infosysbub_search(
    client: BAClient,
    path: str,
    params: Mapping[str, object],
    *,
    size: int = 100,
    limit: int = INFOSYSBUB_RESULT_CAP,
) -> JobsucheSearch:
    """Every page of one Weiterbildungs- or Ausbildungssuche search (``Page.number``
    from 0, as the API counts), until a page comes back short, the reported total is
    reached, or ``limit`` results (never beyond the 10,000 shown) have been asked for;
    ``capped`` when the API found more than it shows."""
    limit = max(0, min(limit, INFOSYSBUB_RESULT_CAP))
    page_size = max(1, min(size, INFOSYSBUB_MAX_PAGE_SIZE, limit or 1))
    search = JobsucheSearch()
    number = 0
    seen = 0
    while seen < limit:
        url, body, payload = client.get_json(path, {**params, "page": number, "size": page_size})
        count = _infosysbub_count(payload)
        total = _infosysbub_total(payload)
        search.pages.append(Page(url, number, body))
        if total is not None:
            search.reported_total = total
        seen += count
        known = search.reported_total
        if count < page_size or (known is not None and seen >= known):
            break
        number += 1
        if number * page_size >= INFOSYSBUB_RESULT_CAP:
            break
    search.capped = (search.reported_total or 0) > INFOSYSBUB_RESULT_CAP and limit >= (
        INFOSYSBUB_RESULT_CAP
    )
    return search
