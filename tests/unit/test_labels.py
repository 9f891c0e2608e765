"""The labelling of outcome events (pure logic): precedence, funnel steps, censoring of late outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from matcher.domain import OutcomeEvent
from matcher.learning import labels

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def test_every_recorded_event_kind_has_a_documented_label() -> None:
    assert set(labels.SCHEME) == {e.value for e in OutcomeEvent}
    for name in labels.SCHEME:
        assert f"``{name}``" in (labels.__doc__ or ""), name


@pytest.mark.parametrize(("events", "y", "grade", "deciding"), [
    ([], None, 0, None),
    (["proposed"], None, 0, "proposed"),
    (["proposed", "invited"], 1, 1, "invited"),
    (["proposed", "invited", "interviewed"], 1, 1, "interviewed"),
    (["proposed", "invited", "rejected"], 0, 0, "rejected"),
    (["proposed", "declined"], 0, 0, "declined"),
    (["proposed", "invited", "no_show"], 0, 0, "no_show"),
    (["proposed", "invited", "interviewed", "hired"], 1, 2, "hired"),
    (["proposed", "invited", "hired", "left_job"], 0, 1, "left_job"),
    (["proposed", "invited", "hired", "retained_6m"], 1, 3, "retained_6m"),
])
def test_the_strongest_event_decides(events: list[str], y: int | None, grade: int, deciding: str | None) -> None:
    found = labels.label([(e, at(i)) for i, e in enumerate(events)], at(400))
    assert (found.y, found.grade, found.deciding) == (y, grade, deciding)
    assert found.known is (y is not None)


@pytest.mark.parametrize(("events", "steps"), [
    ([], []),
    (["proposed"], []),
    (["proposed", "declined"], [("invited", 0)]),
    (["proposed", "rejected"], [("invited", 0)]),
    (["proposed", "invited"], [("invited", 1)]),  # the hire is not decided yet: censored, not failed
    (["proposed", "invited", "interviewed", "rejected"], [("invited", 1), ("hired", 0)]),
    (["proposed", "invited", "no_show", "rejected"], [("invited", 1), ("hired", 0)]),
    (["proposed", "invited", "interviewed", "declined"], [("invited", 1), ("hired", 0)]),
    (["proposed", "invited", "hired"], [("invited", 1), ("hired", 1)]),
    (["proposed", "invited", "hired", "left_job"], [("invited", 1), ("hired", 1), ("retained_6m", 0)]),
    (["proposed", "invited", "hired", "retained_6m"], [("invited", 1), ("hired", 1), ("retained_6m", 1)]),
    (["hired"], [("invited", 1), ("hired", 1)]),  # a hire recorded alone was invited too
])
def test_the_funnel_steps_a_match_went_through(events: list[str], steps: list[tuple[str, int]]) -> None:
    assert labels.steps([(e, at(i)) for i, e in enumerate(events)], at(400)) == steps


def test_events_after_the_moment_of_labelling_do_not_exist_yet() -> None:
    events = [("proposed", at(0)), ("invited", at(3)), ("rejected", at(10))]
    assert labels.label(events, at(5)).deciding == "invited"
    assert labels.label(events, at(5)).y == 1
    assert labels.label(events, at(10)).y == 0
    assert labels.label(events, at(-1)) == labels.UNKNOWN
    assert labels.steps(events, at(5)) == [("invited", 1)]
    assert labels.steps(events, at(10)) == [("invited", 1), ("hired", 0)]


def test_a_young_hire_is_a_hire_with_retention_pending() -> None:
    hired = [("proposed", at(0)), ("hired", at(20))]
    young = labels.label(hired, at(20 + 100))
    assert (young.y, young.grade, young.retention) == (1, 2, "pending")
    # past six months without a record: still a hire, retention not recorded (not assumed lost)
    old = labels.label(hired, at(20 + labels.RETENTION_DAYS + 1))
    assert (old.y, old.retention) == (1, "unrecorded")
    # once known, retention decides, in both directions
    stayed = labels.label([*hired, ("retained_6m", at(20 + labels.RETENTION_DAYS))], at(400))
    left = labels.label([*hired, ("left_job", at(80))], at(400))
    assert (stayed.y, stayed.retention, left.y, left.retention) == (1, "retained", 0, "left")
    # ...but not before it happened: censored at the split, the same match is a plain hire
    assert labels.label([*hired, ("left_job", at(80))], at(60)).retention == "pending"
    assert labels.steps([*hired, ("left_job", at(80))], at(60)) == [("invited", 1), ("hired", 1)]
    # retention is decided for a hire only once six months have passed, whether the person left early or not
    assert labels.steps([*hired, ("left_job", at(80))], at(150)) == [("invited", 1), ("hired", 1)]
    assert labels.steps([*hired, ("left_job", at(80))], at(20 + labels.RETENTION_DAYS)) == [
        ("invited", 1), ("hired", 1), ("retained_6m", 0)]
    assert labels.steps(hired, at(400)) == [("invited", 1), ("hired", 1)]  # unrecorded: not decided


def test_funnel_stages_count_later_events() -> None:
    assert labels.reached(["proposed", "rejected"], "proposed")
    assert not labels.reached(["proposed", "rejected"], "invited")
    assert labels.reached(["hired"], "invited") and labels.reached(["retained_6m"], "hired")
    assert not labels.reached(["left_job"], "retained_6m")
