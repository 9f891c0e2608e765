"""Feasibility: a person's functional restrictions against what a job demands.

Think in possibilities. Each rule below pairs a restriction with a demand. Where they clash the pair
gets a *hard conflict* (excluded from the ranking, the reason kept) unless the vacancy offers a
support instrument that can solve it; then it is an *attention point* for the conversation
("bespreek jobcarving"). Softer gaps (a missing certificate, a long trip, one language level short)
are attention points from the start.

The table, as documented in the README:

| restriction            | demand                      | solvable by            |
|------------------------|-----------------------------|------------------------|
| max_lift_kg (kg)       | lift_kg above that          | jobcarving             |
| no_night               | night_work / night shift    | jobcarving             |
| no_evening             | evening_work / evening shift| jobcarving             |
| no_weekend             | weekend_work / weekend shift| jobcarving             |
| max_hours_week (h)     | hours_min above that        | jobcarving             |
| no_prolonged_standing  | standing                    | jobcarving             |
| low_stimulus           | high_stimulus               | jobcoach, jobcarving   |
| no_customer_contact    | customer_contact            | jobcarving             |
| no_heights             | heights                     | jobcarving             |
| no_outdoor             | outdoor                     | jobcarving             |
| no_driving             | driving                     | (none: hard)           |
| driving licence missing| driving_licences required   | (none: hard)           |
| Dutch 2+ levels short  | dutch_level                 | jobcoach (else hard)   |
| Dutch 1 level short    | dutch_level                 | attention              |
| distance > 1.5 × max   | postcode                    | (none: hard)           |
| distance > max, or trip > 40 min | postcode          | attention              |
| certificate missing    | certificates                | attention ("… nog te behalen") |
| hours wish below hours_min | hours_min               | attention              |
| shift not in availability | shifts                   | attention              |
| restriction only as free text | —                    | attention              |
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain import Support

SUPPORT_BITS = {s.value: 1 << i for i, s in enumerate(Support)}


@dataclass(frozen=True)
class Rule:
    name: str
    restriction: str
    demand: str
    solvable_by: tuple[str, ...]
    conflict_nl: str
    attention_nl: str

    @property
    def solvable_mask(self) -> int:
        return sum(SUPPORT_BITS[s] for s in self.solvable_by)


RULES: tuple[Rule, ...] = (
    Rule("lifting", "max_lift_kg", "lift_kg", ("jobcarving",),
         "tillen tot {demand:g} kg gevraagd, kan max {limit:g} kg", "bespreek jobcarving: tillen tot {demand:g} kg"),
    Rule("night", "no_night", "night_work", ("jobcarving",),
         "nachtdiensten gevraagd, kan geen nachtdiensten", "bespreek rooster zonder nachtdiensten (jobcarving)"),
    Rule("evening", "no_evening", "evening_work", ("jobcarving",),
         "avonddiensten gevraagd, kan geen avonddiensten", "bespreek rooster zonder avonddiensten (jobcarving)"),
    Rule("weekend", "no_weekend", "weekend_work", ("jobcarving",),
         "weekendwerk gevraagd, kan niet in het weekend", "bespreek rooster zonder weekenddiensten (jobcarving)"),
    Rule("hours", "max_hours_week", "hours_min", ("jobcarving",),
         "minimaal {demand:g} uur gevraagd, kan max {limit:g} uur", "bespreek minder uren (jobcarving)"),
    Rule("standing", "no_prolonged_standing", "standing", ("jobcarving",),
         "staand werk, kan niet langdurig staan", "bespreek afwisseling zitten en staan (jobcarving)"),
    Rule("stimulus", "low_stimulus", "high_stimulus", ("jobcoach", "jobcarving"),
         "drukke werkomgeving, heeft een prikkelarme werkplek nodig", "bespreek prikkelarme werkplek met jobcoach"),
    Rule("customer_contact", "no_customer_contact", "customer_contact", ("jobcarving",),
         "veel klantcontact, kan geen klantcontact", "bespreek taken zonder klantcontact (jobcarving)"),
    Rule("heights", "no_heights", "heights", ("jobcarving",),
         "werken op hoogte, kan niet op hoogte werken", "bespreek taken zonder hoogtewerk (jobcarving)"),
    Rule("outdoor", "no_outdoor", "outdoor", ("jobcarving",),
         "buitenwerk, kan niet buiten werken", "bespreek binnentaken (jobcarving)"),
    Rule("driving", "no_driving", "driving", (),
         "rijden hoort bij het werk, kan niet rijden", ""),
)
BOOLEAN_RESTRICTIONS = tuple(r.restriction for r in RULES if r.restriction not in ("max_lift_kg", "max_hours_week"))
BOOLEAN_DEMANDS = tuple(r.demand for r in RULES if r.demand not in ("lift_kg", "hours_min"))
SHIFT_DEMANDS = {"night": "night_work", "evening": "evening_work", "weekend": "weekend_work"}

# Checks outside the restriction table, by name, with their Dutch texts.
EXTRA_TEXTS = {
    "licence": ("rijbewijs {missing} vereist", ""),
    "dutch": ("taalniveau {demand} gevraagd, heeft {level}",
              "taalniveau {level} waar {demand} gevraagd: bespreek taalsteun"),
    "distance": ("reisafstand {km:.0f} km, ver boven max {limit:g} km", "reistijd ruim {minutes} min ({km:.0f} km)"),
    "certificate": ("", "{missing} nog te behalen"),
    "hours_wish": ("", "zoekt max {limit:g} uur, vacature vanaf {demand:g} uur"),
    "shift_wish": ("", "rooster met {shifts}: nog niet als beschikbaar opgegeven"),
    "free_text": ("", "bespreek beperking (vrije tekst)"),
}
LONG_TRIP_MIN = 40
DEFAULT_MAX_TRAVEL_KM = 25.0


@dataclass
class Feasibility:
    """Vectorised outcome for a block of pairs (rows: candidates, columns: vacancies)."""

    conflict: np.ndarray      # bool
    attention: np.ndarray     # int: number of attention points
    fired: dict[str, tuple[np.ndarray, np.ndarray]]  # check name -> (conflict mask, attention mask)

    def reasons(self, i: int, j: int) -> tuple[list[str], list[str]]:
        """Names of the checks that made pair (i, j) a conflict, and those that gave attention points."""
        conflicts = [name for name, (c, _) in self.fired.items() if c[i, j]]
        attention = [name for name, (_, a) in self.fired.items() if a[i, j]]
        return conflicts, attention
