"""The page prefetcher keeps order, errors and back-pressure of the iterator it runs ahead."""

import threading
import time

import pytest

from kpi_pipeline.ingestion.prefetch import prefetched


def test_items_come_out_in_order_and_complete():
    assert list(prefetched(iter(range(1000)), depth=2)) == list(range(1000))
    assert list(prefetched(iter([]))) == []


def test_depth_zero_is_the_plain_iterator():
    assert list(prefetched(iter("abc"), depth=0)) == ["a", "b", "c"]


def test_a_producer_error_is_raised_in_the_consumer_after_the_items_before_it():
    def pages():
        yield 1
        yield 2
        raise ValueError("national portal: page 3 failed")

    got = []
    with pytest.raises(ValueError, match="page 3 failed"):
        for item in prefetched(pages()):
            got.append(item)
    assert got == [1, 2]


def test_the_producer_runs_at_most_depth_ahead():
    produced = []

    def pages():
        for i in range(100):
            produced.append(i)
            yield i

    it = prefetched(pages(), depth=2)
    assert next(it) == 0
    time.sleep(0.3)  # give the producer every chance to run ahead
    # taken by the consumer (1) + held in the queue (2) + one blocked in `put` (1)
    assert len(produced) <= 4
    it.close()


def test_the_next_page_is_fetched_while_the_current_one_is_consumed():
    """The point of it: the portal's wait and the consumer's work overlap."""
    fetching_second = threading.Event()

    def pages():
        yield "first"
        fetching_second.set()
        yield "second"

    it = prefetched(pages())
    assert next(it) == "first"
    assert fetching_second.wait(timeout=5)  # requested before the consumer asked for it
    assert list(it) == ["second"]


def test_closing_early_stops_the_producer_and_closes_the_source():
    closed = threading.Event()
    produced = []

    def pages():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    it = prefetched(pages(), depth=1, name="test-prefetch")
    assert next(it) == 0
    it.close()  # the consumer failed or stopped
    assert closed.wait(timeout=5)
    assert len(produced) < 10
    deadline = time.monotonic() + 5
    while any(t.name == "test-prefetch" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the producer thread did not stop"
        time.sleep(0.05)
