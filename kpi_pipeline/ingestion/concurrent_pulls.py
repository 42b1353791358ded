"""The weekly pulls of one run, one thread per portal: the two portals are different systems.

In one process Dagster runs a job's steps one after another, so the provincial pull and the
national ones used to add up. The first weekly raw step of a run starts the pulls of the other
portal's sources in a thread of its own (the same pull, its own connection and client, in its
own transactions), and each of those steps takes the outcome (or raises the error) when its
turn comes. A portal still serves one pull at a time, at its own request rate; its other
sources run in their own steps as before.

Only the steps in the plan of this process are started early: a Celery worker or a child of
the multiprocess executor plans its one step, so there every step pulls for itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_pending: dict[tuple[str, str], Future] = {}  # (run id, source table) -> its pull's outcome
# runs whose other portals' pulls were started (or found not needed), the latest ones only
_planned: dict[str, None] = {}
_PLANNED_KEPT = 1000


def start_other_portals(
    run_id: str,
    own_portal: str,
    siblings: list[tuple[str, str, Callable[[], T]]],
) -> None:
    """Once per run: start a thread per portal other than `own_portal` that runs the pulls of
    `siblings` ((source table, portal, pull)) of that portal, in order."""
    with _lock:
        if run_id in _planned:
            return
        _planned[run_id] = None
        while len(_planned) > _PLANNED_KEPT:
            del _planned[next(iter(_planned))]
        by_portal: dict[str, list[tuple[str, Callable[[], T], Future]]] = {}
        for table, portal, pull in siblings:
            if portal == own_portal:
                continue
            future: Future = Future()
            _pending[(run_id, table)] = future
            by_portal.setdefault(portal, []).append((table, pull, future))
    for portal, pulls in by_portal.items():
        threading.Thread(
            target=_run_in_order, args=(pulls,), name=f"pull-{portal}", daemon=True
        ).start()


def _run_in_order(pulls: list[tuple[str, Callable[[], T], Future]]) -> None:
    for _, pull, future in pulls:
        if not future.set_running_or_notify_cancel():
            continue
        try:
            future.set_result(pull())
        except BaseException as exc:  # raised in the source's own step
            future.set_exception(exc)


def take_or_pull(run_id: str, table: str, pull: Callable[[], T]) -> T:
    """The outcome of `table`'s pull started early in this run, else `pull()` now (a retry of
    the step, a step alone in its process)."""
    with _lock:
        future = _pending.pop((run_id, table), None)
    if future is None:
        return pull()
    return future.result()
