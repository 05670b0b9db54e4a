"""The Dask mapper and its connection (``engine/cluster.py``) on the real loopback
cluster of ``conftest.py``: a finished run leaves no cancellation behind (the scheduler
tells every client of one, which once broke the greeting of a client connecting at that
moment), a failed run cancels its tasks, an unreachable scheduler is named."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest
from distributed import Client, LocalCluster

from doconnect.transitions.engine import cluster


def doubled(values: np.ndarray, factor: int) -> int:
    return int(values.sum()) * factor


def fails_on_three(value: int) -> int:
    if value == 3:
        raise ValueError("three is refused")
    return value


def cancellations(dask_cluster: LocalCluster, client: Client) -> list[dict]:
    """The cancellations ``client`` sent so far, up to a marker sent now: the client's
    messages travel one ordered stream, so once the marker is there all before it are."""
    client.cancel([])
    deadline = time.monotonic() + 10
    while True:
        events = dask_cluster.scheduler.get_events(client.id)
        sent = [msg for _when, msg in events if msg.get("action") == "cancel"]
        if (sent and sent[-1]["count"] == 0) or time.monotonic() > deadline:
            return sent[:-1]
        time.sleep(0.01)


@pytest.fixture
def own_client(dask_cluster: LocalCluster) -> Iterator[Client]:
    with Client(dask_cluster.scheduler_address, set_as_default=False) as connected:
        yield connected


def test_a_finished_run_gives_the_results_in_call_order_and_cancels_nothing(
    dask_cluster: LocalCluster, own_client: Client
) -> None:
    shared = np.arange(cluster.SCATTER_BYTES // 8 + 1, dtype=np.int64)  # sent once, shared
    run = cluster.mapper(own_client)
    results = run(doubled, [(shared, factor) for factor in range(1, 7)])
    assert results == [int(shared.sum()) * factor for factor in range(1, 7)]
    assert cancellations(dask_cluster, own_client) == []


def test_a_failed_run_cancels_its_tasks_and_raises_the_callers_error(
    dask_cluster: LocalCluster, own_client: Client
) -> None:
    run = cluster.mapper(own_client)
    with pytest.raises(ValueError, match="three is refused"):
        run(fails_on_three, [(value,) for value in range(6)])
    assert [sent["count"] for sent in cancellations(dask_cluster, own_client)] == [6]


def test_an_unreachable_scheduler_is_named_in_the_error() -> None:
    unreachable = cluster.connected("tcp://127.0.0.1:9", timeout=1)
    with pytest.raises(cluster.SchedulerError, match=r"tcp://127\.0\.0\.1:9"), unreachable:
        pass
