"""``doconnect sequences``: describe, compare and type sequences read from a wide CSV
file (one row per person, one column per period)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from django.core.management.base import CommandError, CommandParser

from doconnect.core.management.formatting import ExampleCommand
from doconnect.files.atomic import Content, write_atomically
from doconnect.transitions.engine import describe, distances, typology
from doconnect.transitions.engine.data import SequenceFileError, Sequences, read_wide_csv

EPILOG = """\
actions:
  summary    states, number of sequences, transition rates (rows: from, columns: to)
             and the state distribution per period (rows: periods, columns: states)
  distances  the pairwise distance matrix in the row order of the file (.npy or .csv)
  typology   Ward clustering of the distances into --k types: id,type per row

file format (wide CSV, header line first; an empty cell is a missing period):
  id,weight,Jan.93,Feb.93,...,Dec.98
  P-0001,0.33,training,training,employment,...

examples:
  doconnect sequences summary mvad.csv --id id --columns Jul.93:Jun.99 --format json
  doconnect sequences distances mvad.csv --id id --columns Jul.93:Jun.99 \\
      --method OM --sm TRATE --indel auto --out D.npy
  doconnect sequences typology mvad.csv --id id --columns Jul.93:Jun.99 --k 4 --out T.csv
"""


def _read(options: dict[str, Any]) -> Sequences:
    states = None
    if options.get("states"):
        states = [s.strip() for s in options["states"].split(",")]
    try:
        return read_wide_csv(
            options["file"],
            id_column=options["id"],
            columns=options["columns"],
            states=states,
            weights_column=options.get("weights"),
        )
    except SequenceFileError as exc:
        raise CommandError(str(exc)) from exc


def _write_atomically(path: Path, content: Content) -> None:
    folder = path.resolve().parent
    if not folder.is_dir():
        raise CommandError(f"{path}: the directory {folder} does not exist")
    write_atomically([(path, content)])


def _distances(seqs: Sequences, options: dict[str, Any]) -> np.ndarray:
    method = options["method"]
    sm = options.get("sm")
    if method == "OM" and sm is None:
        sm = "TRATE"
    indel_text = options.get("indel") or "auto"
    indel: float | str
    if indel_text == "auto":
        indel = "auto"
    else:
        try:
            indel = float(indel_text)
        except ValueError:
            indel = -1.0
        if not np.isfinite(indel) or indel <= 0:
            raise CommandError(f"--indel: a positive number or auto, not {indel_text!r}")
    return distances.distance_matrix(seqs, method, sm, indel)  # type: ignore[arg-type]


class Command(ExampleCommand):
    help = "Sequences: summarise, compute distances, build a typology (wide CSV files)."
    epilog = EPILOG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        texts = {
            "summary": "states, transition rates and state distribution per period",
            "distances": "pairwise distance matrix (OM or Hamming)",
            "typology": "Ward clustering of the distances into k types",
        }
        for name, text in texts.items():
            sub = actions.add_parser(name, help=text)
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
                sub.add_argument(
                    "--indel", default="auto", metavar="COST|auto", help="OM indel cost"
                )
                sub.add_argument("--out", required=True, metavar="FILE", help="output file")
            if name == "typology":
                sub.add_argument("--k", type=int, required=True, help="number of types")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        seqs = _read(options)
        if action == "summary":
            self._summary(seqs, options["format"])
            return
        out = Path(options["out"])
        if action == "distances" and out.suffix.lower() not in {".npy", ".csv"}:
            raise CommandError(f"--out {out}: the file must end in .npy or .csv")
        if action == "typology" and not 1 <= options["k"] <= seqs.n:
            raise CommandError(f"--k: between 1 and {seqs.n} (the sequences), not {options['k']}")
        matrix = _distances(seqs, options)
        if action == "distances":
            if out.suffix.lower() == ".npy":
                _write_atomically(out, lambda f: np.save(f, matrix))
            else:
                _write_atomically(out, lambda f: np.savetxt(f, matrix, delimiter=",", fmt="%.17g"))
            self.stdout.write(f"{seqs.n} x {seqs.n} distances written to {out}")
            return
        types = typology.typology(seqs, matrix, options["k"])
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["id", "type"])
        writer.writerows(zip(seqs.ids, types.labels.tolist(), strict=True))
        _write_atomically(out, lambda f: f.write(text.getvalue().encode()))
        sizes = ", ".join(
            f"type {t + 1}: {int(size)} (medoid {seqs.ids[int(types.medoids[t])]})"
            for t, size in enumerate(types.sizes)
        )
        self.stdout.write(f"{seqs.n} sequences in {types.k} types written to {out}: {sizes}")

    def _summary(self, seqs: Sequences, fmt: str) -> None:
        rates = describe.transition_rates(seqs)
        shares = describe.state_distribution(seqs)
        if fmt == "json":
            self.stdout.write(
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
        self.stdout.write(f"{seqs.n} sequences, {seqs.periods} periods")
        self.stdout.write("transition rates (row: from, column: to):")
        self.stdout.write(" " * (width + 1) + " ".join(f"{s[:7]:>7}" for s in seqs.states))
        for state, row in zip(seqs.states, rates.tolist(), strict=True):
            self.stdout.write(f"{state:<{width}} " + " ".join(f"{v:7.3f}" for v in row))
        mean_time = describe.mean_time_in_state(seqs)
        self.stdout.write("mean periods in each state:")
        for state, value in zip(seqs.states, mean_time.tolist(), strict=True):
            self.stdout.write(f"{state:<{width}} {value:7.2f}")
