"""``doconnect sequences``: describe, compare and type sequences read from a wide CSV
file (one row per person, one column per period) — the whole command, without Django.

It reads and writes files only, so the ``doconnect`` front door (``cli.py``) runs it
with plain ``argparse`` and never imports Django: a file calculation starts in the time
Python and NumPy take, which matters when the calculation itself takes a fraction of a
second (Hamming on 2,000 sequences, issue #21); Hamming with one cost on a plain file
into ``.npy`` does not import NumPy either (``_plain_hamming``).
``management/commands/sequences.py`` is the same command for Django's ``call_command``
and ``manage.py``: one parser (``add_arguments``), one ``run``. The engine's modules are
imported where an action needs them (CLARA, Dask, tiles and the typology's SciPy are not
needed for distances).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from doconnect.files.atomic import Content, write_atomically
from doconnect.transitions.engine.plain import SequenceFileError

if TYPE_CHECKING:
    import numpy as np

    from doconnect.transitions.engine import clara, typology
    from doconnect.transitions.engine.data import Sequences

HELP = "Sequences: summarise, compute distances, build a typology (wide CSV files)."


class Refused(Exception):
    """A refused call (bad file, bad option): the message says why, naming the file, line
    and column or the option. Django's command turns it into a ``CommandError``; the
    front door prints it the same way (``CommandError: …``, exit status 1)."""


Write = Callable[[str], object]  # one line of the command's output (no line end)

EPILOG = """\
actions:
  summary    states, number of sequences, transition rates (rows: from, columns: to)
             and the state distribution per period (rows: periods, columns: states)
  distances  the pairwise distance matrix in the row order of the file (.npy or .csv)
  typology   Ward clustering of the distances into --k types: id,type per row;
             with --clara, CLARA for many sequences: PAM on --samples random samples
             of --sample-size persons, every sequence to the nearest medoid of the best
             sample (no full distance matrix; the same --seed gives the same file)

  --engine dask --scheduler tcp://HOST:PORT runs distances, typology and CLARA on a
  Dask cluster (the matrix in tiles of --tile sequences, CLARA per sample and block);
  the numbers and files are the same as with --engine local (the default)

file format (wide CSV, header line first; an empty cell is a missing period):
  id,weight,Jan.93,Feb.93,...,Dec.98
  P-0001,0.33,training,training,employment,...

examples:
  doconnect sequences summary mvad.csv --id id --columns Jul.93:Jun.99 --format json
  doconnect sequences distances mvad.csv --id id --columns Jul.93:Jun.99 \\
      --method OM --sm TRATE --indel auto --out D.npy
  doconnect sequences typology mvad.csv --id id --columns Jul.93:Jun.99 --k 4 --out T.csv
  doconnect sequences typology state.csv --id id --columns m01:m72 --k 6 --clara \
      --samples 10 --sample-size 2000 --seed 1 --out T.csv
  doconnect sequences distances mvad.csv --id id --columns Jul.93:Jun.99 \
      --engine dask --scheduler tcp://127.0.0.1:8786 --out D.npy
"""


def _states(options: dict[str, Any]) -> list[str] | None:
    if options.get("states"):
        return [s.strip() for s in options["states"].split(",")]
    return None


def _read(options: dict[str, Any]) -> Sequences:
    # here: the Hamming distances of a plain file need no NumPy (start-up, issue #21)
    from doconnect.transitions.engine.data import read_wide_csv

    try:
        return read_wide_csv(
            options["file"],
            id_column=options["id"],
            columns=options["columns"],
            states=_states(options),
            weights_column=options.get("weights"),
        )
    except SequenceFileError as exc:
        raise Refused(str(exc)) from exc


def _write_atomically(path: str, content: Content) -> None:
    folder = os.path.dirname(os.path.realpath(path))
    if not os.path.isdir(folder):
        raise Refused(f"{path}: the directory {folder} does not exist")
    write_atomically([(path, content)])


def _distances(seqs: Sequences, options: dict[str, Any]) -> np.ndarray:
    method = options["method"]
    sm = options.get("sm")
    if method == "OM" and sm is None:
        sm = "TRATE"
    indel = _indel(options.get("indel") or "auto")
    tile = options.get("tile")
    if tile is not None and tile < 1:
        raise Refused(f"--tile: at least 1, not {tile}")
    if _engine_of(options) == "local" and tile is None:
        from doconnect.transitions.engine import distances

        return distances.distance_matrix(seqs, method, sm, indel)  # today's, untiled
    from doconnect.transitions.engine import tiles

    with _mapper(options) as run:
        return tiles.distance_matrix(
            seqs, method, sm, indel, tile=tiles.TILE if tile is None else tile, mapper=run
        )


def _engine_of(options: dict[str, Any]) -> str:
    """``local`` or ``dask``, after checking that ``--scheduler`` goes with dask only."""
    engine, scheduler = options.get("engine") or "local", options.get("scheduler")
    if engine == "dask" and not scheduler:
        raise Refused("--engine dask needs --scheduler tcp://HOST:PORT")
    if engine == "local" and scheduler:
        raise Refused("--scheduler: only with --engine dask")
    return engine


@contextmanager
def _mapper(options: dict[str, Any]) -> Iterator[clara.Mapper]:
    """Where the engine's calls run: in this process or on the Dask scheduler."""
    from doconnect.transitions.engine import clara, cluster

    if _engine_of(options) == "local":
        yield clara.local_map
        return
    try:
        with cluster.connected(str(options["scheduler"])) as on_cluster:
            yield on_cluster
    except cluster.SchedulerError as exc:
        raise Refused(f"--scheduler: {exc}") from exc


def _indel(text: str) -> float | Literal["auto"]:
    if text == "auto":
        return "auto"
    try:
        indel = float(text)
    except ValueError:
        indel = -1.0
    if not math.isfinite(indel) or indel <= 0:
        raise Refused(f"--indel: a positive number or auto, not {text!r}")
    return indel


def _refuse_clara_options(options: dict[str, Any]) -> None:
    for name in ("samples", "sample_size", "seed"):
        if options.get(name) is not None:
            raise Refused(f"--{name.replace('_', '-')}: only with --clara")


def _write_types(seqs: Sequences, types: typology.Typology, out: str) -> str:
    """Write ``id,type`` per sequence to ``out``; the summary line for the terminal."""
    from doconnect.files.tables import TableWriter

    text = io.StringIO()
    writer = TableWriter(text)
    writer.writerow(["id", "type"])
    writer.writerows(zip(seqs.ids, types.labels.tolist(), strict=True))
    _write_atomically(out, lambda f: f.write(text.getvalue().encode()))
    sizes = ", ".join(
        f"type {t + 1}: {int(size)} (medoid {seqs.ids[int(types.medoids[t])]})"
        for t, size in enumerate(types.sizes)
    )
    return f"{seqs.n} sequences in {types.k} types written to {out}: {sizes}"


def add_arguments(parser: argparse.ArgumentParser, *, tile: int | None = None) -> None:
    """The options of ``doconnect sequences`` (Django's parser or a plain one). ``tile``:
    the Dask engine's tile size for the help text — the Django command, which prints the
    help, gives it; the front door's parser prints no help, and so need not import the
    tile module (and CLARA's) on every call."""
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    texts = {
        "summary": "states, transition rates and state distribution per period",
        "distances": "pairwise distance matrix (OM or Hamming)",
        "typology": "Ward clustering of the distances into k types",
    }
    for name, text in texts.items():
        # the parent's formatter (Django's, or the front door's fixed-width one)
        sub = actions.add_parser(name, help=text, formatter_class=parser.formatter_class)
        sub.add_argument("file", metavar="FILE.csv", help="wide CSV file, header first")
        sub.add_argument("--id", required=True, metavar="COLUMN", help="the id column")
        sub.add_argument(
            "--columns",
            required=True,
            metavar="FIRST:LAST",
            help="the period columns, first and last header name (inclusive)",
        )
        sub.add_argument(
            "--states",
            metavar="A,B,...",
            help="the states in this order (default: the sorted distinct values)",
        )
        sub.add_argument("--weights", metavar="COLUMN", help="a weight column")
        if name == "summary":
            sub.add_argument("--format", choices=["json", "text"], default="text")
        else:
            sub.add_argument("--method", choices=["OM", "HAM"], default="OM")
            sub.add_argument(
                "--sm",
                choices=["TRATE", "CONSTANT"],
                help="substitution costs (OM default TRATE; HAM default constant 1)",
            )
            sub.add_argument("--indel", default="auto", metavar="COST|auto", help="OM indel cost")
            sub.add_argument("--out", required=True, metavar="FILE", help="output file")
            sub.add_argument("--engine", choices=["local", "dask"], help="where it runs (local)")
            sub.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="the Dask scheduler")
            sub.add_argument(
                "--tile",
                type=int,
                metavar="N",
                help="distance matrix in tiles of N sequences"
                + (f" (dask: {tile})" if tile else ""),
            )
        if name == "typology":
            sub.add_argument("--k", type=int, required=True, help="number of types")
            sub.add_argument("--clara", action="store_true", help="CLARA (samples) instead of Ward")
            sub.add_argument("--samples", type=int, metavar="N", help="CLARA: samples (10)")
            sub.add_argument(
                "--sample-size", type=int, metavar="M", help="CLARA: persons a sample (40+2k)"
            )
            sub.add_argument("--seed", type=int, metavar="S", help="CLARA: random seed (0)")


def run(options: dict[str, Any], write: Write) -> None:
    """Carry out the parsed ``options`` (``action`` and its options), writing the lines
    for the terminal with ``write``; a refused call raises ``Refused``."""
    action = options["action"]
    if action == "summary":
        _summary(_read(options), options["format"], write)
        return
    out = str(options["out"])  # os.path, not pathlib: start-up (issue #21)
    suffix = os.path.splitext(out)[1].lower()
    if action == "distances" and suffix not in {".npy", ".csv"}:
        raise Refused(f"--out {out}: the file must end in .npy or .csv")
    if action == "distances" and suffix == ".npy" and _plain_hamming(options, out, write):
        return
    seqs = _read(options)
    if action == "typology" and not 1 <= options["k"] <= seqs.n:
        raise Refused(f"--k: between 1 and {seqs.n} (the sequences), not {options['k']}")
    if action == "typology" and options["clara"]:
        _clara(seqs, options, out, write)
        return
    _refuse_clara_options(options)
    matrix = _distances(seqs, options)
    if action == "distances":
        import numpy as np

        if suffix == ".npy":
            _write_atomically(out, lambda f: np.save(f, matrix))
        else:
            _write_atomically(out, lambda f: np.savetxt(f, matrix, delimiter=",", fmt="%.17g"))
        write(f"{seqs.n} x {seqs.n} distances written to {out}")
        return
    from doconnect.transitions.engine import typology

    types = typology.typology(seqs, matrix, options["k"])
    write(_write_types(seqs, types, out))


def _plain_hamming(options: dict[str, Any], out: str, write: Write) -> bool:
    """Hamming distances with one cost (no ``--sm`` or ``--sm CONSTANT``) of a plain file
    (``engine.plain``), here, untiled, into a ``.npy`` file — without importing NumPy:
    its import took ten times as long as these distances of 2,000 sequences (issue #21).
    The bytes are those ``numpy.save`` writes of ``distances.distance_matrix``'s result.
    False for any other call or file, which the general path then computes."""
    if options["method"] != "HAM" or options.get("sm") not in {None, "CONSTANT"}:
        return False
    if options.get("weights") or options.get("tile") is not None:
        return False
    if (options.get("engine") or "local") != "local" or options.get("scheduler"):
        return False  # the general path checks these options with its messages
    _indel(options.get("indel") or "auto")  # refused as on the general path, though unused
    from doconnect.transitions.engine import buffers, plain

    read = plain.read_plain(options["file"], options["id"], options["columns"], _states(options))
    if read is None:
        return False
    cost = buffers.hamming_cval(options.get("sm"))
    matrix = buffers.constant_hamming(read.codes, read.n, read.periods, len(read.states), cost)
    if sys.byteorder != "little":  # pragma: no cover - the .npy header says little-endian
        matrix.byteswap()
    header = plain.npy_header(read.n, read.n)

    def save(file: BinaryIO) -> None:
        file.write(header)
        file.write(matrix)

    _write_atomically(out, save)
    write(f"{read.n} x {read.n} distances written to {out}")
    return True


def _clara(seqs: Sequences, options: dict[str, Any], out: str, write: Write) -> None:
    from doconnect.transitions.engine import clara

    samples = 10 if options.get("samples") is None else options["samples"]
    size = options.get("sample_size")
    if samples < 1:
        raise Refused(f"--samples: at least 1, not {samples}")
    if size is not None and size < options["k"]:
        raise Refused(f"--sample-size: at least --k ({options['k']}), not {size}")
    if options.get("tile") is not None:
        raise Refused("--tile: not with --clara (CLARA needs no full matrix)")
    method = options["method"]
    sm: Any = options.get("sm") or ("TRATE" if method == "OM" else None)
    indel = _indel(options.get("indel") or "auto")

    def compute(mapper: clara.Mapper) -> clara.Clara:
        return clara.clara(
            seqs, options["k"], samples=samples, sample_size=size,
            seed=options.get("seed") or 0, method=method, sm=sm, indel=indel, mapper=mapper,
        )  # fmt: skip

    try:
        with _mapper(options) as on_engine:
            result = compute(on_engine)
    except ValueError as exc:
        raise Refused(f"{options['file']}: {exc}") from exc
    write(_write_types(seqs, result.typology, out))
    write(
        f"CLARA: best sample {result.best_sample + 1} of {samples}, mean distance "
        f"{result.mean_distance:.4f}, PBM {result.pbm:.4f}, DB {result.db:.4f}, "
        f"XB {result.xb:.4f}, AMS {result.ams:.4f}"
    )


def _summary(seqs: Sequences, fmt: str, write: Write) -> None:
    import json

    from doconnect.transitions.engine import describe

    rates = describe.transition_rates(seqs)
    shares = describe.state_distribution(seqs)
    if fmt == "json":
        write(
            json.dumps(
                {
                    "states": list(seqs.states),
                    "n": seqs.n,
                    "transition_rates": rates.tolist(),
                    "state_distribution": shares.tolist(),
                }
            )
        )
        return
    width = max(len(s) for s in seqs.states)
    write(f"{seqs.n} sequences, {seqs.periods} periods")
    write("transition rates (row: from, column: to):")
    write(" " * (width + 1) + " ".join(f"{s[:7]:>7}" for s in seqs.states))
    for state, row in zip(seqs.states, rates.tolist(), strict=True):
        write(f"{state:<{width}} " + " ".join(f"{v:7.3f}" for v in row))
    mean_time = describe.mean_time_in_state(seqs)
    write("mean periods in each state:")
    for state, value in zip(seqs.states, mean_time.tolist(), strict=True):
        write(f"{state:<{width}} {value:7.2f}")
