"""``core.forms.LongSelectMultiple``: the select of many options written in one pass is
the select Django's own widget writes — the same options, escaped, the sent ones
selected — and the consent form's organisations come from it."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms

from doconnect.core.forms import LongSelectMultiple


class Options(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.select: dict[str, str | None] = {}
        self.options: list[tuple[str, bool, str]] = []
        self._open: tuple[str, bool] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select":
            self.select = dict(attrs)
        elif tag == "option":
            found = dict(attrs)
            self._open = (found["value"] or "", "selected" in found)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.options.append((*self._open, data))
            self._open = None


CHOICES = [("a&b", "Träger <A> & Co"), ('q"x', 'Verein "Q"'), ("plain", "Stadt")]


def parsed(html: str) -> Options:
    found = Options()
    found.feed(html)
    return found


def test_the_long_select_writes_what_djangos_select_writes() -> None:
    for value in ([], ["a&b"], ["a&b", 'q"x']):
        ours = parsed(LongSelectMultiple(choices=CHOICES).render("orgs", value, {"id": "id_orgs"}))
        django = parsed(
            forms.SelectMultiple(choices=CHOICES).render("orgs", value, {"id": "id_orgs"})
        )
        assert ours.options == django.options
        assert ours.select == django.select == {"name": "orgs", "id": "id_orgs", "multiple": None}
    assert [selected for _v, selected, _l in ours.options] == [True, True, False]


def test_a_label_cannot_break_out_of_its_option() -> None:
    html = LongSelectMultiple(choices=[("x", "</option><script>alert(1)</script>")]).render(
        "orgs", [], {}
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
