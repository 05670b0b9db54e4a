"""The spells dataset: biography spells as Parquet files, one directory per district.

The layout (Hive partitioning, which DuckDB, pyarrow, Dask, Spark and pandas all read)::

    DIR/district=Dortmund/part-00000.parquet
    DIR/district=H%C3%B6rde/part-00000.parquet     # names percent-encoded (RFC 3986)
    DIR/district=__HIVE_DEFAULT_PARTITION__/…       # persons without a district

Each file holds the columns of :data:`SCHEMA` — the spells export's columns
(``doconnect export spells``): the person's pseudonym, state, start, end (inclusive; empty
while running), reporting organisation, offer and KldB code — and nothing else: no name,
birth date, address, contact, note or any other personal detail. The district is the
directory, not a column. Pooling the exports of several cities is copying their
directories side by side (one district is one city's part).

Writes are all or nothing: :class:`DatasetWriter` writes into a hidden directory beside
the target and renames it into place at the end, so a reader never sees half a
dataset. Used by ``people.transfers`` (the export), ``demo.state`` (the state-scale
generator) and ``aggregates`` (the figures over it).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote, unquote

import pyarrow as pa
import pyarrow.parquet as pq

PARTITION = "district"
NO_DISTRICT = "__HIVE_DEFAULT_PARTITION__"  # Hive's name for a missing value
COLUMNS: tuple[str, ...] = (
    "person_id",
    "state",
    "start",
    "end",
    "organisation",
    "offer_id",
    "kldb",
)
SCHEMA = pa.schema(
    [
        pa.field("person_id", pa.string(), nullable=False),
        pa.field("state", pa.string(), nullable=False),
        pa.field("start", pa.date32(), nullable=False),
        pa.field("end", pa.date32()),
        pa.field("organisation", pa.string()),
        pa.field("offer_id", pa.string()),
        pa.field("kldb", pa.string()),
    ]
)
PART = "part-00000.parquet"


class DatasetError(ValueError):
    """A directory that is not (and may not become) a spells dataset."""


def partition_name(district: str) -> str:
    """The directory of ``district`` (``""``: persons without a district)."""
    return f"{PARTITION}={quote(district, safe='') if district else NO_DISTRICT}"


def district_of(directory: str) -> str:
    """The district a partition directory holds (``""`` for the missing value)."""
    prefix = f"{PARTITION}="
    if not directory.startswith(prefix):
        raise DatasetError(f"{directory}: not a partition directory ({prefix}NAME)")
    value = directory[len(prefix) :]
    return "" if value == NO_DISTRICT else unquote(value)


def partitions(dataset: Path) -> list[tuple[str, Path]]:
    """The dataset's districts and their directories, by district name."""
    if not dataset.is_dir():
        raise DatasetError(f"{dataset}: no such directory")
    found = [
        (district_of(entry.name), entry)
        for entry in dataset.iterdir()
        if entry.is_dir() and entry.name.startswith(f"{PARTITION}=")
    ]
    if not found:
        raise DatasetError(f"{dataset}: no {PARTITION}=NAME directories, not a spells dataset")
    return sorted(found)


def partition_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.parquet"))


def _replaceable(target: Path) -> bool:
    """An empty directory or a spells dataset (only partition directories) may be
    replaced as a whole; anything else is left alone."""
    if not target.exists():
        return True
    if not target.is_dir():
        return False
    return all(e.is_dir() and e.name.startswith(f"{PARTITION}=") for e in target.iterdir())


class DatasetWriter:
    """Writes a spells dataset into ``target`` all or nothing: rows go to a hidden
    directory beside it, one Parquet file per district (a row group per
    :meth:`write`), and :meth:`commit` renames it into place (an earlier dataset there
    is replaced). As a context manager it commits at the end of the block and throws
    everything away on an exception."""

    def __init__(self, target: Path, metadata: Mapping[str, str] | None = None) -> None:
        self.target = Path(target)
        if not _replaceable(self.target):
            raise DatasetError(
                f"{self.target}: exists and is not a spells dataset; give a new or empty directory"
            )
        parent = self.target.absolute().parent
        if not parent.is_dir():
            raise DatasetError(f"{parent}: no such directory")
        self._temporary = parent / f".{self.target.name}.tmp-{secrets.token_hex(4)}"
        self._temporary.mkdir()
        schema_metadata = {k.encode(): v.encode() for k, v in (metadata or {}).items()}
        self.schema = SCHEMA.with_metadata(schema_metadata) if schema_metadata else SCHEMA
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows = 0
        self.districts: set[str] = set()  # those written to

    def write(self, district: str, columns: Mapping[str, Sequence[Any] | pa.Array]) -> None:
        """Append rows (a column per name of :data:`COLUMNS`) to ``district``."""
        table = pa.table({name: columns[name] for name in COLUMNS}, schema=self.schema)
        if not table.num_rows:
            return
        writer = self._writers.get(district)
        if writer is None:
            directory = self._temporary / partition_name(district)
            directory.mkdir()
            writer = pq.ParquetWriter(directory / PART, self.schema, compression="zstd")
            self._writers[district] = writer
            self.districts.add(district)
        writer.write_table(table)
        self.rows += table.num_rows

    def commit(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        old = None
        if self.target.exists():
            old = self._temporary.with_name(self._temporary.name.replace(".tmp-", ".old-"))
            os.rename(self.target, old)
        os.rename(self._temporary, self.target)
        if old is not None:
            shutil.rmtree(old)

    def abort(self) -> None:
        for writer in self._writers.values():
            # The disk may be what failed; the directory goes anyway.
            with contextlib.suppress(OSError):
                writer.close()
        self._writers.clear()
        shutil.rmtree(self._temporary, ignore_errors=True)

    def __enter__(self) -> DatasetWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is None:
            try:
                self.commit()
            except BaseException:
                self.abort()
                raise
        else:
            self.abort()


def read_partition(directory: Path, columns: Sequence[str] = COLUMNS) -> pa.Table:
    """All rows of one district (its files concatenated)."""
    tables = [pq.read_table(path, columns=list(columns)) for path in partition_files(directory)]
    if not tables:
        return SCHEMA.empty_table().select(list(columns))
    return pa.concat_tables(tables)


def iter_rows(dataset: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row as ``(district, {column: value})`` — for tests and small datasets."""
    for district, directory in partitions(dataset):
        for row in read_partition(directory).to_pylist():
            yield district, row
