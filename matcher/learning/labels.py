"""Labelling: what the outcome events of one shown match say about how good that match was.

A shown match (one candidate shown for one vacancy in one shortlist) collects outcome events over
weeks and months. Two readings of them are used:

- a **label** per shown match: positive, negative or unknown, with a graded relevance for ranking
  metrics (NDCG); the evaluation metrics and the monitoring report use it;
- the **funnel steps** the match went through (`steps`): training learns from these.

The *deciding event* is the strongest event the match reached by the moment the label is taken
(``as_of``), in this order of precedence (highest first):

=================  ========  =====  ==============================================================
deciding event     label     grade  why
=================  ========  =====  ==============================================================
``retained_6m``    positive  3      a lasting placement (*duurzame plaatsing*): the real goal
``left_job``       negative  1      hired but gone within six months: negative for retention;
                                    grade 1 because the employer did want this person
``hired``          positive  2      hired; retention still open (see *late outcomes* below)
``rejected``       negative  0      the employer said no (with a reason)
``declined``       negative  0      the person said no: the job did not fit their wishes
``no_show``        negative  0      the person did not come to the interview
``interviewed``    positive  1      weak positive: the employer saw enough to talk
``invited``        positive  1      weak positive: the employer saw enough to invite
``proposed``       unknown   0      only says a consultant picked it; nothing about fit yet
(no event)         unknown   0      shown, nothing recorded: absence of evidence, not a *no*
=================  ========  =====  ==============================================================

So *invited, then rejected* is a negative (the later, stronger event decides); *hired, then
left_job* is a negative for retention; *retained_6m* outranks everything.

**Funnel steps.** Once proposed, a match meets up to three decisions, one after the other: is the
person invited, hired, and still at work after six months? `steps` lists the decisions a match met
by ``as_of``, each passed (1) or not (0), and stops at the first it did not pass: *invited, then
rejected* gives (invited 1), (hired 0); *retained_6m* gives all three passed; a rejection without an
invitation gives (invited 0). A decision not taken yet, or never recorded, gives nothing: it is
censored, not failed (a hire whose retention is open gives (invited 1), (hired 1)). Retention counts
only for a hire at least six months old at ``as_of``: before that only those who left early would
show, and the step would look worse than it is. A match that was only proposed gives no step. Every
decision is evidence in its own right, so a hire that later ended still tells that the invitation
and the hire were right; one label per match cannot say that.

**Late outcomes and censoring.** Retention is known six months after the hire at the earliest.
Events that happen after ``as_of`` do not exist for the label or the steps (training takes them as
of the split date, so nothing from the evaluation period leaks into training). A hire without a
``retained_6m`` or ``left_job`` event is labelled as a *hire* (positive) and its retention is marked:

- ``pending``: the hire is younger than six months (182 days) at ``as_of``; retention is unknown,
  not negative. Labelling it negative would punish exactly the most recent, most relevant matches;
  leaving it out would throw recent hires away.
- ``unrecorded``: older than six months but nobody recorded whether the person stayed. Still a hire;
  a missing record is not evidence that the person left.

Unknown labels are left out of ROC AUC / average precision / Brier score; in NDCG they count as
grade 0 (a shortlist is judged on what it led to).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

RETENTION_DAYS = 182

POSITIVE, NEGATIVE = 1, 0

# event -> (precedence, label (1, 0 or None), grade)
SCHEME: dict[str, tuple[int, int | None, int]] = {
    "retained_6m": (9, POSITIVE, 3),
    "left_job": (8, NEGATIVE, 1),
    "hired": (7, POSITIVE, 2),
    "rejected": (6, NEGATIVE, 0),
    "declined": (6, NEGATIVE, 0),
    "no_show": (6, NEGATIVE, 0),
    "interviewed": (4, POSITIVE, 1),
    "invited": (3, POSITIVE, 1),
    "proposed": (1, None, 0),
}
# The stages a report counts: a match "reached" a stage when any event at or beyond it happened.
REACHED: dict[str, frozenset[str]] = {
    "proposed": frozenset(SCHEME),
    "invited": frozenset({"invited", "interviewed", "no_show", "hired", "retained_6m", "left_job"}),
    "hired": frozenset({"hired", "retained_6m", "left_job"}),
    "retained_6m": frozenset({"retained_6m"}),
}
# The decisions after a proposal, in order, and the events that mean a match did not pass one.
STEPS: tuple[str, ...] = ("invited", "hired", "retained_6m")
STOPPED_BY: dict[str, frozenset[str]] = {
    "invited": frozenset({"rejected", "declined"}),
    "hired": frozenset({"rejected", "declined", "no_show"}),
    "retained_6m": frozenset({"left_job"}),
}


@dataclass(frozen=True)
class Label:
    y: int | None          # 1 positive, 0 negative, None unknown
    grade: int             # graded relevance for NDCG, 0..3
    deciding: str | None   # the deciding event, None when nothing (valid) happened
    retention: str         # retained | left | pending | unrecorded | n/a

    @property
    def known(self) -> bool:
        return self.y is not None


UNKNOWN = Label(None, 0, None, "n/a")


def _seen(events: Iterable[tuple[str, datetime]], as_of: datetime) -> list[tuple[str, datetime]]:
    return [(name, at) for name, at in events if name in SCHEME and at <= as_of]


def label(events: Iterable[tuple[str, datetime]], as_of: datetime) -> Label:
    """The label of one shown match from its ``(event, occurred_at)`` pairs, as known at ``as_of``."""
    seen = _seen(events, as_of)
    if not seen:
        return UNKNOWN
    deciding, decided_at = max(seen, key=lambda e: (SCHEME[e[0]][0], e[1]))
    _, y, grade = SCHEME[deciding]
    retention = "n/a"
    if deciding == "retained_6m":
        retention = "retained"
    elif deciding == "left_job":
        retention = "left"
    elif deciding == "hired":
        retention = "pending" if as_of - decided_at < timedelta(days=RETENTION_DAYS) else "unrecorded"
    return Label(y, grade, deciding, retention)


def steps(events: Iterable[tuple[str, datetime]], as_of: datetime) -> list[tuple[str, int]]:
    """The funnel decisions one shown match met by ``as_of``, in order, as ``(step, 1 passed or 0 not)``;
    it ends at the first step not passed, or before the first step whose outcome is not known yet."""
    seen = _seen(events, as_of)
    names = {name for name, _ in seen}
    hired_at = min((at for name, at in seen if name in REACHED["hired"]), default=None)
    out: list[tuple[str, int]] = []
    for step in STEPS:
        if step == "retained_6m" and (hired_at is None or as_of - hired_at < timedelta(days=RETENTION_DAYS)):
            break  # the six months are not over: retention is not decided for everyone hired then
        if names & REACHED[step]:
            out.append((step, 1))
            continue
        if names & STOPPED_BY[step]:
            out.append((step, 0))
        break
    return out


def reached(events: Iterable[str], stage: str) -> bool:
    """Whether a match with these events got at least as far as ``stage`` in the funnel."""
    return any(e in REACHED[stage] for e in events)
