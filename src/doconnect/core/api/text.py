"""Text the API takes, and how its OpenAPI document states it (issue #20).

No text in a request may hold a NUL character (``\\u0000``): PostgreSQL cannot store
one, and the edge refuses it with 422 naming where, for every JSON body
(``core.security.NulTextMiddleware``) and every query parameter (``api.api.TextParser``)
— one rule in one place, not a check per field. The document says so with the same
reach: ``document_text_rule`` gives every free text of a request (a string with no
``enum``, ``format`` or ``pattern`` of its own, in a body or a query parameter) the
pattern ``NO_NUL``. A text type with a pattern of its own must exclude NUL itself
(``pattern_takes_nul`` tells; the API's tests check every one in the document)."""

from __future__ import annotations

import re
from typing import Any

NO_NUL = r"^[^\x00]*$"
# A text with something besides white space in it, and no NUL (names, titles).
NOT_BLANK = r"^[^\x00]*[^\s\x00][^\x00]*$"

_OWN_RULE = ("enum", "const", "format", "pattern")


def pattern_takes_nul(pattern: str) -> bool:
    """Whether a text the ``pattern`` matches may hold a NUL character (tried on the
    NUL at the start, inside and at the end of a few texts it otherwise matches)."""
    regex = re.compile(pattern)
    samples = ["", "a", "1", "a@b.de", "12345", "counselling"]
    return any(
        regex.search(text) is not None
        for sample in samples
        for text in ("\x00" + sample, sample + "\x00", sample[:1] + "\x00" + sample[1:])
    )


def document_text_rule(document: dict[str, Any]) -> None:
    """Add ``NO_NUL`` as the pattern of every free text in the request bodies and
    query parameters of an OpenAPI ``document`` (the schemas they name included)."""
    components = document.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    _mark(parameter.get("schema"), components, seen)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                _mark(media.get("schema"), components, seen)


def _mark(node: Any, components: dict[str, Any], seen: set[str]) -> None:
    if isinstance(node, list):
        for value in node:
            _mark(value, components, seen)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        name = ref.removeprefix("#/components/schemas/")
        if name not in seen:
            seen.add(name)
            _mark(components.get(name), components, seen)
    if node.get("type") == "string" and not any(key in node for key in _OWN_RULE):
        node["pattern"] = NO_NUL
    for key, value in node.items():
        if key not in {"enum", "const", "default", "examples", "example"}:
            _mark(value, components, seen)
