"""The HTTP client for the BA's APIs against a local server: header, retries with
back-off, time-outs, paging, the 10,000-result cap and no network."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest

from doconnect.labourmarket.employers.ba import BAClient, FetchFailed, jobsuche_search
from tests.labourmarket.employers.bafake import Answer, FakeBA, serve


@pytest.fixture
def ba() -> Iterator[FakeBA]:
    yield from serve()


def client(url: str, sleeps: list[float], **kwargs: float) -> BAClient:
    return BAClient(
        base_url=url,
        api_key="jobboerse-jobsuche",
        timeout=kwargs.get("timeout", 5.0),
        retries=int(kwargs.get("retries", 3)),
        backoff=1.0,
        sleep=sleeps.append,
    )


def test_the_api_key_header_and_the_parameters_are_sent(ba: FakeBA) -> None:
    ba.script = [Answer(200, b'{"stellenangebote": []}')]
    url, _body, payload = client(ba.url, []).get_json(
        "/pc/v4/jobs", {"wo": "Dortmund", "was": "Pflege & Betreuung", "umkreis": None}
    )
    assert payload == {"stellenangebote": []}
    (asked,) = ba.asked
    assert asked.path == "/pc/v4/jobs"
    assert asked.params == {"wo": "Dortmund", "was": "Pflege & Betreuung"}
    assert asked.headers["x-api-key"] == "jobboerse-jobsuche"
    assert url.startswith(ba.url + "/pc/v4/jobs?")


def test_429_and_503_are_tried_again_with_growing_pauses(ba: FakeBA) -> None:
    ba.script = [
        Answer(503, b"{}"),
        Answer(429, b"{}", {"Retry-After": "7"}),
        Answer(502, b"{}"),
        Answer(200, b'{"ok": true}'),
    ]
    sleeps: list[float] = []
    _url, _body, payload = client(ba.url, sleeps).get_json("/x", {})
    assert payload == {"ok": True}
    assert sleeps == [1.0, 7.0, 4.0]  # back-off doubles; Retry-After wins when given
    assert len(ba.asked) == 4


def test_giving_up_after_the_retries_says_so(ba: FakeBA) -> None:
    ba.script = [Answer(503, b"{}")] * 3
    sleeps: list[float] = []
    with pytest.raises(FetchFailed, match=r"HTTP 503 .* after 3 attempts"):
        client(ba.url, sleeps, retries=2).get("/x", {})
    assert sleeps == [1.0, 2.0]


def test_a_refused_key_is_not_tried_again(ba: FakeBA) -> None:
    ba.script = [Answer(403, b"{}")]
    sleeps: list[float] = []
    with pytest.raises(FetchFailed, match=r"HTTP 403 .*API key"):
        client(ba.url, sleeps).get("/x", {})
    assert sleeps == [] and len(ba.asked) == 1


def test_a_time_out_is_tried_again_then_reported(ba: FakeBA) -> None:
    ba.script = [Answer(200, b"{}", delay=1.0), Answer(200, b"{}", delay=1.0)]
    sleeps: list[float] = []
    with pytest.raises(FetchFailed, match=r"no answer within 0.2 s \(2 attempts\)"):
        client(ba.url, sleeps, timeout=0.2, retries=1).get("/x", {})
    assert sleeps == [1.0]


def test_a_slow_first_answer_then_a_good_one(ba: FakeBA) -> None:
    ba.script = [Answer(200, b"{}", delay=1.0), Answer(200, b'{"n": 2}')]
    _url, _body, payload = client(ba.url, [], timeout=0.2, retries=1).get_json("/x", {})
    assert payload == {"n": 2}


def test_no_network_is_a_clear_error_without_retries() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    with pytest.raises(FetchFailed, match=rf"cannot reach 127.0.0.1:{port}: .*no network"):
        client(f"http://127.0.0.1:{port}", sleeps).get("/x", {})
    assert sleeps == []


def test_an_answer_that_is_not_json(ba: FakeBA) -> None:
    ba.script = [Answer(200, b"<html>Wartung</html>")]
    with pytest.raises(FetchFailed, match="the answer is not JSON"):
        client(ba.url, []).get_json("/x", {})


def test_only_http_urls(ba: FakeBA) -> None:
    with pytest.raises(FetchFailed, match="only http and https"):
        client("file:///etc", []).get("/passwd", {})


def test_paging_across_several_pages(ba: FakeBA) -> None:
    ba.total = 5
    search = jobsuche_search(client(ba.url, []), "/pc/v4/jobs", {"wo": "Dortmund"}, size=2)
    assert [(a.params["page"], a.params["size"]) for a in ba.asked] == [
        ("1", "2"),
        ("2", "2"),
        ("3", "2"),
    ]
    assert [p.number for p in search.pages] == [1, 2, 3]
    assert search.reported_total == 5 and not search.capped
    refs = [e["refnr"] for p in search.pages for e in json.loads(p.body)["stellenangebote"]]
    assert len(refs) == len(set(refs)) == 5


def test_a_full_last_page_ends_at_the_reported_total(ba: FakeBA) -> None:
    ba.total = 4
    search = jobsuche_search(client(ba.url, []), "/pc/v4/jobs", {}, size=2)
    assert len(search.pages) == 2 and len(ba.asked) == 2


def test_the_10000_cap_stops_paging_and_is_reported(ba: FakeBA) -> None:
    ba.total = 12_345
    search = jobsuche_search(client(ba.url, []), "/pc/v4/jobs", {"wo": "Dortmund"})
    assert len(search.pages) == 100
    assert max(int(a.params["page"]) * int(a.params["size"]) for a in ba.asked) == 10_000
    assert search.reported_total == 12_345 and search.capped


def test_a_limit_asks_for_whole_pages_only(ba: FakeBA) -> None:
    ba.total = 1_000
    search = jobsuche_search(client(ba.url, []), "/pc/v4/jobs", {}, size=100, limit=150)
    assert len(search.pages) == 2 and not search.capped


def test_an_answer_broken_off_half_way_is_tried_again(ba: FakeBA) -> None:
    # Content-Length promises more than is sent, then the server closes.
    ba.script = [
        Answer(200, b'{"half": ', {"Content-Length": "100"}),
        Answer(200, b'{"whole": true}'),
    ]
    sleeps: list[float] = []
    _url, _body, payload = client(ba.url, sleeps).get_json("/x", {})
    assert payload == {"whole": True} and sleeps == [1.0]
