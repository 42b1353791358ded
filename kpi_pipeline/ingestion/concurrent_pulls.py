"""The weekly pulls of one run, one thread per portal: the two portals are different systems.

In one process Dagster runs a job's steps one after another, so the provincial pull and the
national ones used to add up. The first weekly raw step of a run starts the pulls of the other
portal's sources in a thread of its own (the same pull, its own connection and client, in its
own transactions), and each of those steps takes the outcome (or raises the error) when its
turn comes. A portal still serves one pull at a time, at its own request rate; its other
sources run in their own steps as before.

A long pull (a new warehouse's history, a backfill of half a year) runs in a child process
instead of a thread: parsing, typing and COPYing a record is ~15 µs of Python, and two pulls in
one process share one core through the GIL (issue 17: the initial sync's pulls took 82 s of
wall time for ~60 s of Python). A short one (a Friday's week) stays in a thread: a child's
start and imports cost ~1.5 CPU-s.

Only the steps in the plan of this process are started early: a Celery worker or a child of
the multiprocess executor plans its one step, so there every step pulls for itself.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_pending: dict[tuple[str, str], Future] = {}  # (run id, source table) -> its pull's outcome
# runs whose other portals' pulls were started (or found not needed), the latest ones only
_planned: dict[str, None] = {}
_PLANNED_KEPT = 1000


def started(run_id: str) -> bool:
    """Whether this run's other portals' pulls were started (or found not needed) already:
    a later raw step of the run need not plan them again."""
    with _lock:
        return run_id in _planned


def start_other_portals(
    run_id: str,
    own_portal: str,
    siblings: list[tuple[str, str, Callable[[], T]]],
    in_child_process: bool = False,
) -> None:
    """Once per run: start a thread per portal other than `own_portal` that runs the pulls of
    `siblings` ((source table, portal, pull)) of that portal, in order; with
    `in_child_process`, the thread hands them to a child process of its own (each pull then
    a picklable callable)."""
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
            target=_run_in_order,
            args=(pulls, in_child_process),
            name=f"pull-{portal}",
            daemon=True,
        ).start()


def _run_in_order(pulls: list[tuple[str, Callable[[], T], Future]], in_child: bool) -> None:
    pool = _child_process() if in_child else None
    try:
        for _, pull, future in pulls:
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(pull() if pool is None else _in(pool, pull))
            except BaseException as exc:  # raised in the source's own step
                future.set_exception(exc)
    finally:
        if pool is not None:
            pool.shutdown()


def _child_process() -> ProcessPoolExecutor:
    """One fresh interpreter (spawn: this process has threads, which a fork would copy
    mid-lock) that exits if this process dies, so a killed run leaves no pull behind."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


def _exit_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)  # the open transaction is rolled back by PostgreSQL, the lock released

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _in(pool: ProcessPoolExecutor, pull: Callable[[], T]) -> T:
    outcome, value, cause = pool.submit(_outcome_of, pull).result()
    if outcome == "error":
        value.__cause__ = cause
        raise value
    return value


def _outcome_of(pull: Callable[[], T]) -> tuple[str, object, BaseException | None]:
    """In the child: the pull's result, or its error in a form that crosses back (an
    exception's cause does not travel with it; one that does not pickle becomes a
    RuntimeError naming it)."""
    try:
        return "ok", pull(), None
    except BaseException as exc:  # re-raised in the parent, in the source's own step
        return "error", _portable(exc), _portable(exc.__cause__) if exc.__cause__ else None


def _portable(exc: BaseException) -> BaseException:
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def take_or_pull(run_id: str, table: str, pull: Callable[[], T]) -> T:
    """The outcome of `table`'s pull started early in this run, else `pull()` now (a retry of
    the step, a step alone in its process)."""
    with _lock:
        future = _pending.pop((run_id, table), None)
    if future is None:
        return pull()
    return future.result()
