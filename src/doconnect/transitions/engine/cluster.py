"""The engine's work on a Dask cluster (``dask.distributed``): the same module-level
functions as locally (``clara.sample_medoids``, ``clara.nearest_medoids``), each call a
task on a worker, the results gathered in the order of the calls, so the numbers are the
same as in one process, bit for bit.

The workers import ``doconnect`` themselves (the functions travel by name), so every
worker runs the same installed package as the client. Large arrays that several calls
share (the blocks of sequences, one per block and not one per sample) are sent to the
workers once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from doconnect.transitions.engine.clara import Mapper

SCATTER_BYTES = 1 << 20  # arrays this large are sent once and shared by their calls


class SchedulerError(RuntimeError):
    """The Dask scheduler could not be reached."""


@contextmanager
def connected(scheduler: str, timeout: float = 10.0) -> Iterator[Mapper]:
    """A mapper running calls on the Dask cluster at ``scheduler`` (``tcp://HOST:PORT``)
    while the block runs."""
    client = _client(scheduler, timeout)
    try:
        yield mapper(client)
    finally:
        client.close()


def _client(scheduler: str, timeout: float) -> Any:
    from distributed import Client  # only the Dask engine needs it

    try:
        return Client(scheduler, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    except AssertionError as exc:
        # distributed 2026.8 sends a cancellation by any other client to every client,
        # and one landing in the greeting of a client still connecting trips its
        # handshake. Not retried: the half-made client's finaliser can deadlock a second
        # attempt in the same process (seen in CI). Our own mapper no longer cancels
        # finished runs, so only another client's failed run can cause this.
        raise SchedulerError(
            f"the Dask scheduler at {scheduler} sent other messages with its greeting; try again"
        ) from exc


def mapper(client: Any) -> Mapper:
    """Run each call as a task on the workers of ``client`` (a ``distributed.Client``)."""

    def run(function: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
        if not calls:
            return []
        shared: dict[int, Any] = {}

        def sent(value: Any) -> Any:
            if isinstance(value, np.ndarray) and value.nbytes >= SCATTER_BYTES:
                if id(value) not in shared:
                    shared[id(value)] = client.scatter(value, broadcast=False, hash=False)
                return shared[id(value)]
            return value

        columns = [[sent(v) for v in column] for column in zip(*calls, strict=True)]
        futures = client.map(function, *columns, pure=False)
        try:
            return list(client.gather(futures))
        except BaseException:
            # Only a failed run cancels: the scheduler tells every client of a
            # cancellation, while futures merely dropped (on return) are released quietly.
            client.cancel([*futures, *shared.values()])
            raise

    return run
