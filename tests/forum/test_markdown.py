"""Markdown typed into agenda items, minutes, decisions and documents is rendered, and
cannot inject script: no raw HTML, no event handlers, no javascript: or data: links."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from doconnect.forum.markdown import ALLOWED_TAGS, render_markdown


def test_markdown_is_rendered_as_html() -> None:
    html = render_markdown(
        "## Protokoll\n\n- **TOP 1**: *beraten*\n\n[Bericht](https://example.org/a)"
    )
    assert "<h2>Protokoll</h2>" in html
    assert "<strong>TOP 1</strong>" in html and "<em>beraten</em>" in html
    assert '<a href="https://example.org/a" rel="noopener noreferrer">Bericht</a>' in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Text <script>alert(1)</script> danach",
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.org" onclick="alert(1)">x</a>',
        "<div onmouseover=alert(1)>hover</div>",
        "<iframe src=https://evil.example></iframe>",
        "[klick](javascript:alert(1))",
        "[klick](JaVaScRiPt:alert(1))",
        "[klick](javascript&#58;alert(1))",
        "[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![bild](javascript:alert(1))",
        '![x](https://example.org/x.png "onerror=alert(1)")',
        "<svg onload=alert(1)>",
        "[x](vbscript:msgbox(1))",
    ],
)
def test_markdown_cannot_inject_script(text: str) -> None:
    elements = _elements(render_markdown(text))
    for tag, attrs in elements:
        assert tag in ALLOWED_TAGS, (text, tag)
        for name, value in attrs:
            assert not name.startswith("on"), (text, name)
            if name == "href":
                assert (value or "").split(":", 1)[0].lower() in {"http", "https", "mailto"}, (
                    text,
                    value,
                )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The elements a browser would build from ``html`` (not the text it shows)."""
    collector = _Collector()
    collector.feed(html)
    return collector.found


def test_raw_html_is_shown_as_text_not_markup() -> None:
    html = render_markdown("<b>fett</b> und <script>x()</script>")
    assert "<b>" not in html
    assert "&lt;b&gt;fett&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html


def test_only_http_https_and_mailto_links_survive() -> None:
    html = render_markdown(
        "[a](https://a.example) [b](http://b.example) [c](mailto:c@example.org) [d](ftp://d.example)"
    )
    assert 'href="https://a.example"' in html
    assert 'href="http://b.example"' in html
    assert 'href="mailto:c@example.org"' in html
    assert "ftp://" not in html


def test_empty_text_renders_nothing() -> None:
    assert render_markdown("") == ""
