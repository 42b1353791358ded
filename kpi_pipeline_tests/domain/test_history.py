"""The rules of a complete change history and of the pull plan (domain/history.py), directly."""

from datetime import date, datetime, timedelta

from kpi_pipeline.domain.calendar import TZ, week_window
from kpi_pipeline.domain.history import (
    NEVER_PULLED,
    NOT_CONFORMED,
    NOT_CURRENT,
    READ_BEFORE_EARLIER,
    READ_WHILE_OPEN,
    WindowPull,
    history_state,
    period_problems,
    pull_plan,
)

START = date(2024, 1, 5)  # a Friday
WEEKS = [START + timedelta(days=7 * i) for i in range(6)]  # 2024-01-05 .. 2024-02-09
NOW = datetime(2024, 2, 14, 10, 0, tzinfo=TZ)  # inside the last week


def synced(weeks=WEEKS, at=NOW, conformed=True) -> list[WindowPull]:
    """Every week read in order by one sync at `at` (a second apart), conformed after."""
    out = []
    for i, w in enumerate(weeks):
        pulled = at + timedelta(seconds=i)
        out.append(WindowPull(w, pulled, pulled + timedelta(minutes=5) if conformed else None))
    return out


def reasons(state) -> list[tuple[date, str]]:
    return [(g.start.astimezone(TZ).date(), g.reason) for g in state.gaps]


def test_one_sync_through_now_is_complete_as_of_its_last_window():
    state = history_state("raw", synced(), START)
    assert state.complete and state.as_of == NOW + timedelta(seconds=5)


def test_nothing_pulled_is_not_complete():
    state = history_state("raw", [], START)
    assert not state.complete and state.as_of is None


def test_a_missing_week_is_a_gap():
    pulls = [p for p in synced() if p.week != WEEKS[2]]
    assert reasons(history_state("raw", pulls, START)) == [(WEEKS[2], NEVER_PULLED)]


def test_the_weeks_before_the_first_pull_are_never_pulled():
    pulls = synced(WEEKS[2:])
    assert reasons(history_state("raw", pulls, START)) == [(WEEKS[0], NEVER_PULLED)]
    gap = history_state("raw", pulls, START).gaps[0]
    assert gap.end == week_window(WEEKS[1]).end  # two weeks merged into one range


def test_an_old_week_read_again_makes_every_later_week_stale():
    pulls = synced()
    later = NOW + timedelta(hours=1)
    pulls[1] = WindowPull(WEEKS[1], later, later + timedelta(minutes=1))
    got = reasons(history_state("raw", pulls, START))
    assert got == [(WEEKS[2], READ_BEFORE_EARLIER)]
    assert history_state("raw", pulls, START).gaps[0].end == week_window(WEEKS[5]).end


def test_a_week_read_while_open_and_not_read_again_leaves_its_rest_uncovered():
    pulls = synced(WEEKS[:3], at=datetime(2024, 1, 24, 9, 0, tzinfo=TZ))  # inside week 2
    pulls += synced(WEEKS[3:], at=NOW)
    state = history_state("raw", pulls, START)
    assert reasons(state) == [(date(2024, 1, 24), READ_WHILE_OPEN)]
    assert state.gaps[0].start == pulls[2].pulled_at and state.gaps[0].end == pulls[3].start


def test_a_last_window_read_after_it_ended_is_not_current():
    """Changes after that window's end may have taken records out of every pulled window."""
    pulls = synced(WEEKS[:5], at=NOW)  # week 5 holds NOW and was not read
    state = history_state("raw", pulls, START)
    assert reasons(state) == [(WEEKS[5], NOT_CURRENT)]


def test_a_pull_not_yet_conformed_is_a_gap():
    pulls = synced()
    pulls[3] = WindowPull(WEEKS[3], pulls[3].pulled_at, None)
    assert reasons(history_state("raw", pulls, START)) == [(WEEKS[3], NOT_CONFORMED)]


def test_a_period_needs_the_latest_pull_at_or_after_its_end():
    state = history_state("raw", synced(), START)
    week3 = week_window(WEEKS[3])
    assert period_problems([state], week3.start, week3.end, START, NOW) == []
    # the week in progress is computed as of the latest pull
    last = week_window(WEEKS[5])
    assert period_problems([state], last.start, last.end, START, NOW) == []
    # a period that ended after the latest pull is not
    later = NOW + timedelta(days=30)
    (problem,) = period_problems([state], last.start, last.end, START, later)
    assert problem == "raw: the latest pull was at 2024-02-14 10:00, before the period's end"


def test_the_period_in_progress_is_computed_as_of_a_pull_made_before_now():
    """The peak-month daily run: pulled at 17:00:05, its KPI steps run minutes later."""
    state = history_state("raw", synced(), START)
    last = week_window(WEEKS[5])
    assert period_problems([state], last.start, last.end, START, NOW + timedelta(minutes=7)) == []


def test_a_period_before_the_history_start_is_refused():
    state = history_state("raw", synced(), START)
    before = week_window(START - timedelta(days=7))
    (problem,) = period_problems([state], before.start, before.end, START, NOW)
    assert "before the history start 2024-01-05" in problem and "KPI_HISTORY_START" in problem


def test_problems_name_the_source_and_the_window():
    pulls = [p for p in synced() if p.week != WEEKS[2]]
    state = history_state("raw.national_sync", pulls, START)
    (problem,) = period_problems([state], *week_window(WEEKS[4]).__dict__.values(), START, NOW)
    assert problem == "raw.national_sync: 2024-01-19 00:00 .. 2024-01-26 00:00 never pulled"


def test_an_empty_warehouse_plans_the_whole_history_through_the_week_in_progress():
    plan = pull_plan([], [WEEKS[4]], START, NOW, timedelta(hours=1))
    assert plan == WEEKS


def test_a_complete_history_plans_only_from_the_latest_pull_less_the_overlap():
    pulls = synced(at=NOW)
    later = NOW + timedelta(days=3)  # the next week is in progress
    assert pull_plan(pulls, [WEEKS[5]], START, later, timedelta(hours=1)) == [
        WEEKS[5],
        WEEKS[5] + timedelta(days=7),
    ]


def test_the_overlap_reaches_back_into_the_previous_week():
    at = datetime(2024, 2, 9, 0, 30, tzinfo=TZ)  # 30 minutes into week 5
    pulls = synced(at=at)
    assert pull_plan(pulls, [WEEKS[5]], START, at, timedelta(hours=1)) == WEEKS[4:]
    assert pull_plan(pulls, [WEEKS[5]], START, at, timedelta(minutes=10)) == WEEKS[5:]


def test_asking_for_an_old_week_reads_it_and_every_later_week():
    pulls = synced()
    assert pull_plan(pulls, [WEEKS[1]], START, NOW, timedelta(0)) == WEEKS[1:]


def test_a_gap_pulls_from_the_gap_on():
    pulls = [p for p in synced() if p.week != WEEKS[2]]
    assert pull_plan(pulls, [WEEKS[5]], START, NOW, timedelta(0)) == WEEKS[2:]


def test_a_pull_not_yet_conformed_is_left_to_staging_not_pulled_again():
    pulls = synced()
    pulls[1] = WindowPull(WEEKS[1], pulls[1].pulled_at, None)
    assert pull_plan(pulls, [WEEKS[5]], START, NOW, timedelta(0)) == WEEKS[5:]


def test_the_plan_never_starts_before_the_history_start():
    pulls = synced()
    assert pull_plan(pulls, [date(2023, 12, 1)], START, NOW, timedelta(0)) == WEEKS
