"""Run a page iterator one step ahead in a thread, so the portal's time overlaps our COPY.

A pull is a chain of waits on the portal (its work to build a page) and of work of ours (JSON
into COPY). Sequentially the two add up; with the next page requested while the current one is
written, a pull costs about the larger of the two. Order, errors and back-pressure are kept:
pages come out in the order the iterator makes them, an exception in the producer is raised
in the consumer (with its traceback), and the producer is never more than `depth` pages ahead,
so memory stays that of `depth + 1` pages whatever the pull's size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_PAGE, _END, _ERROR = range(3)
_POLL_SECONDS = 0.1


def prefetched(source: Iterable[T], depth: int = 1, name: str = "prefetch") -> Iterator[T]:
    """Yield the items of `source`, produced by a daemon thread at most `depth` items ahead.

    Closing the generator early (the consumer failed, or stopped) tells the producer to stop
    after the request it is in; the producer is not joined then, so a consumer's error is
    raised at once rather than after the portal's timeout.
    """
    if depth < 1:
        yield from source
        return
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: int, value: object) -> bool:
        while not stop.is_set():
            try:
                slots.put((kind, value), timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in source:
                if not put(_PAGE, item):
                    return
            put(_END, None)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_ERROR, exc)
        finally:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name=name, daemon=True)
    worker.start()
    finished = False
    try:
        while True:
            kind, value = slots.get()
            if kind == _PAGE:
                yield value
            elif kind == _END:
                finished = True
                return
            else:
                finished = True
                raise value
    finally:
        stop.set()
        if finished:
            worker.join()
