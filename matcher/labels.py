"""Labelling: what the outcome events of one shown match say about how good that match was.

A shown match (one candidate shown for one vacancy in one shortlist) collects outcome events over
weeks and months. Training needs one label per shown match: positive, negative or unknown, with a
weight saying how much the evidence counts, and a graded relevance for ranking metrics (NDCG).

The *deciding event* is the strongest event the match reached by the moment the label is taken
(``as_of``), in this order of precedence (highest first):

=================  ========  ======  =====  ==============================================================
deciding event     label     weight  grade  why
=================  ========  ======  =====  ==============================================================
``retained_6m``    positive  3.0     3      a lasting placement (*duurzame plaatsing*): the real goal
``left_job``       negative  1.0     1      hired but gone within six months: negative for retention;
                                            grade 1 because the employer did want this person
``hired``          positive  2.0     2      hired; retention still open (see *late outcomes* below)
``rejected``       negative  1.0     0      the employer said no (with a reason)
``declined``       negative  1.0     0      the person said no: the job did not fit their wishes
``no_show``        negative  1.0     0      the person did not come to the interview
``interviewed``    positive  0.5     1      weak positive: the employer saw enough to talk
``invited``        positive  0.5     1      weak positive: the employer saw enough to invite
``proposed``       unknown   0       0      only says a consultant picked it; nothing about fit yet
(no event)         unknown   0       0      shown, nothing recorded: absence of evidence, not a *no*
=================  ========  ======  =====  ==============================================================

So *invited, then rejected* is a negative (the later, stronger event decides); *hired, then
left_job* is a negative for retention; *retained_6m* outranks everything.

**Late outcomes and censoring.** Retention is known six months after the hire at the earliest.
Events that happen after ``as_of`` do not exist for the label (training takes labels as of the
split date, so nothing from the evaluation period leaks into training). A hire without a
``retained_6m`` or ``left_job`` event is labelled as a *hire* (positive, weight 2) and its
retention is marked:

- ``pending``: the hire is younger than six months (182 days) at ``as_of``; retention is unknown,
  not negative. Labelling it negative would punish exactly the most recent, most relevant matches;
  leaving it out would throw recent hires away.
- ``unrecorded``: older than six months but nobody recorded whether the person stayed. Still a hire;
  a missing record is not evidence that the person left.

Unknown labels (weight 0) are left out of training and of ROC AUC / average precision / Brier
score; in NDCG they count as grade 0 (a shortlist is judged on what it led to).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

RETENTION_DAYS = 182

POSITIVE, NEGATIVE = 1, 0

# event -> (precedence, label (1, 0 or None), weight, grade)
SCHEME: dict[str, tuple[int, int | None, float, int]] = {
    "retained_6m": (9, POSITIVE, 3.0, 3),
    "left_job": (8, NEGATIVE, 1.0, 1),
    "hired": (7, POSITIVE, 2.0, 2),
    "rejected": (6, NEGATIVE, 1.0, 0),
    "declined": (6, NEGATIVE, 1.0, 0),
    "no_show": (6, NEGATIVE, 1.0, 0),
    "interviewed": (4, POSITIVE, 0.5, 1),
    "invited": (3, POSITIVE, 0.5, 1),
    "proposed": (1, None, 0.0, 0),
}
# The stages a report counts: a match "reached" a stage when any event at or beyond it happened.
REACHED: dict[str, frozenset[str]] = {
    "proposed": frozenset(SCHEME),
    "invited": frozenset({"invited", "interviewed", "no_show", "hired", "retained_6m", "left_job"}),
    "hired": frozenset({"hired", "retained_6m", "left_job"}),
    "retained_6m": frozenset({"retained_6m"}),
}


@dataclass(frozen=True)
class Label:
    y: int | None          # 1 positive, 0 negative, None unknown
    weight: float          # sample weight for training (0 for unknown)
    grade: int             # graded relevance for NDCG, 0..3
    deciding: str | None   # the deciding event, None when nothing (valid) happened
    retention: str         # retained | left | pending | unrecorded | n/a

    @property
    def known(self) -> bool:
        return self.y is not None


UNKNOWN = Label(None, 0.0, 0, None, "n/a")


def label(events: Iterable[tuple[str, datetime]], as_of: datetime) -> Label:
    """The label of one shown match from its ``(event, occurred_at)`` pairs, as known at ``as_of``."""
    seen = [(name, at) for name, at in events if name in SCHEME and at <= as_of]
    if not seen:
        return UNKNOWN
    deciding, decided_at = max(seen, key=lambda e: (SCHEME[e[0]][0], e[1]))
    _, y, weight, grade = SCHEME[deciding]
    retention = "n/a"
    if deciding == "retained_6m":
        retention = "retained"
    elif deciding == "left_job":
        retention = "left"
    elif deciding == "hired":
        retention = "pending" if as_of - decided_at < timedelta(days=RETENTION_DAYS) else "unrecorded"
    return Label(y, weight, grade, deciding, retention)


def reached(events: Iterable[str], stage: str) -> bool:
    """Whether a match with these events got at least as far as ``stage`` in the funnel."""
    return any(e in REACHED[stage] for e in events)
