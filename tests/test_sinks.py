"""The ordered worker that draws and encodes beside the pose model."""

from __future__ import annotations

import threading
import time

import pytest

from analyzer.sinks import OrderedWorker


def test_calls_run_in_order_on_one_other_thread():
    seen: list[tuple[int, str]] = []
    worker = OrderedWorker(depth=2)
    for i in range(20):
        # Early calls sleep longer: a pool with several threads would finish them out of order.
        worker.submit(lambda i=i: (time.sleep(0.002 * (20 - i) / 20), seen.append((i, threading.current_thread().name))))
    worker.close()
    assert [i for i, _ in seen] == list(range(20))
    names = {n for _, n in seen}
    assert len(names) == 1 and threading.current_thread().name not in names


def test_a_failing_call_is_raised_not_lost():
    worker = OrderedWorker(depth=8)

    def boom() -> None:
        raise OSError("disk full")

    worker.submit(boom)
    with pytest.raises(OSError, match="disk full"):
        worker.close()
    with pytest.raises(ValueError, match="closed"):
        worker.submit(boom)
