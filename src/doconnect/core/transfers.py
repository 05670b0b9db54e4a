"""The file kinds of ``doconnect import`` and ``doconnect export``, registered by the
domains that own them.

Each domain's ``transfers`` module calls :func:`register` with its kinds; the commands
find those modules with Django's autodiscovery (as the admin finds ``admin`` modules),
so ``core`` names no domain. A kind's ``position`` orders the choices, the list of kinds
and the examples of ``--help`` across domains (gaps of ten leave room for new kinds)."""

from __future__ import annotations

from argparse import Action, ArgumentParser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.utils.module_loading import autodiscover_modules

from doconnect.files.importing import ImportResult

# Called with the file's bytes and name and, as keywords, the values of the options the
# kind's ``arguments`` added to the command.
Importer = Callable[..., ImportResult]


@dataclass(frozen=True)
class ImportKind:
    name: str
    description: str  # one line in the list of kinds
    run: Importer  # reads the file, writes all or nothing (ImportFailed: nothing written)
    position: int
    help: str = ""  # its section of --help (format, rules); "" when another's covers it
    examples: tuple[str, ...] = ()  # whole command lines
    # Adds the kind's own options to the command's parser and returns them, so the
    # command hands their values to ``run`` and refuses them with any other kind.
    arguments: Callable[[ArgumentParser], Sequence[Action]] | None = None
    # Instead of ``run``: called with the open file (binary) rather than its bytes, for
    # a kind that reads large files as it imports them.
    stream: Importer | None = None


@dataclass(frozen=True)
class Exported:
    text: str
    what: str  # what was written, counted: "4 vacancies"


# Writes the kind into a directory (``--out DIR``) in a further format.
DirectoryExporter = Callable[[Path], Exported]


@dataclass(frozen=True)
class ExportKind:
    name: str
    description: str
    run: Callable[[], Exported]
    position: int
    help: str = ""
    examples: tuple[str, ...] = ()
    format: str = "csv"  # the import format ``run`` writes
    # Further formats (``--format NAME --out DIR``), each written into a directory.
    directory_formats: tuple[tuple[str, DirectoryExporter], ...] = ()

    def formats(self) -> list[str]:
        return [self.format, *(name for name, _write in self.directory_formats)]


Kind = TypeVar("Kind", ImportKind, ExportKind)

_imports: dict[str, ImportKind] = {}
_exports: dict[str, ExportKind] = {}


def register(*kinds: ImportKind | ExportKind) -> None:
    for kind in kinds:
        registry: dict[str, Any] = _imports if isinstance(kind, ImportKind) else _exports
        known = registry.get(kind.name)
        if known is not None and known != kind:
            raise ValueError(f"file kind {kind.name!r} is registered twice")
        registry[kind.name] = kind


def _discovered(registry: dict[str, Kind]) -> list[Kind]:
    autodiscover_modules("transfers")
    return sorted(registry.values(), key=lambda kind: (kind.position, kind.name))


def import_kinds() -> list[ImportKind]:
    return _discovered(_imports)


def export_kinds() -> list[ExportKind]:
    return _discovered(_exports)


def kinds_help(kinds: Sequence[ImportKind] | Sequence[ExportKind]) -> str:
    """The "kinds:" list of ``--help``: one line per kind, the descriptions aligned."""
    width = max(len(kind.name) for kind in kinds) + 1
    return "kinds:\n" + "\n".join(f"  {kind.name:{width}}{kind.description}" for kind in kinds)


def examples_help(kinds: Sequence[ImportKind] | Sequence[ExportKind]) -> str:
    return "examples:\n" + "".join(f"  {line}\n" for kind in kinds for line in kind.examples)
