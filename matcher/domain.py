"""The contract: what a candidate, a vacancy and an outcome look like on the way in.

These pydantic models are shared by the API, the bulk import and the demo loader, so every door
validates the same way. Limits are deliberate: bad input gets a clear error, never a crash.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)


def _storable(value: str) -> str:
    """Text PostgreSQL can store: no NUL characters and no lone surrogates (they have no UTF-8 form)."""
    if "\x00" in value:
        raise ValueError("text must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_storable)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), AfterValidator(_storable)]
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Municipality = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,39}$")]
Postcode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[1-9][0-9]{3}( ?[A-Za-z]{2})?$")]
Hours = Annotated[int, Field(ge=0, le=60)]
MAX_ITEMS = 50


class Shift(StrEnum):
    day = "day"
    evening = "evening"
    night = "night"
    weekend = "weekend"


class CandidateStatus(StrEnum):
    active = "active"
    placed = "placed"
    paused = "paused"
    withdrawn = "withdrawn"


class VacancyStatus(StrEnum):
    open = "open"
    filled = "filled"
    closed = "closed"


class Support(StrEnum):
    jobcoach = "jobcoach"
    jobcarving = "jobcarving"
    loonkostensubsidie = "loonkostensubsidie"
    proefplaatsing = "proefplaatsing"


class RestrictionCode(StrEnum):
    """Functional limits only, never diagnoses. Codes with a value say so in `VALUED_RESTRICTIONS`."""

    max_lift_kg = "max_lift_kg"
    no_night = "no_night"
    no_evening = "no_evening"
    no_weekend = "no_weekend"
    max_hours_week = "max_hours_week"
    no_prolonged_standing = "no_prolonged_standing"
    low_stimulus = "low_stimulus"
    no_customer_contact = "no_customer_contact"
    no_heights = "no_heights"
    no_driving = "no_driving"
    no_outdoor = "no_outdoor"


class DemandCode(StrEnum):
    lift_kg = "lift_kg"
    night_work = "night_work"
    evening_work = "evening_work"
    weekend_work = "weekend_work"
    standing = "standing"
    high_stimulus = "high_stimulus"
    customer_contact = "customer_contact"
    heights = "heights"
    driving = "driving"
    outdoor = "outdoor"


VALUED_RESTRICTIONS = {RestrictionCode.max_lift_kg, RestrictionCode.max_hours_week}
VALUED_DEMANDS = {DemandCode.lift_kg}

EDUCATION_LEVELS = ("geen", "vmbo", "mbo1", "mbo2", "mbo3", "havo", "mbo4", "vwo", "hbo", "wo")
DUTCH_LEVELS = ("A0", "A1", "A2", "B1", "B2", "C1", "C2")
LICENCES = ("AM", "A", "B", "BE", "C1", "C", "CE", "D", "T")

EducationLevel = Literal["geen", "vmbo", "mbo1", "mbo2", "mbo3", "havo", "mbo4", "vwo", "hbo", "wo"]
DutchLevel = Literal["A0", "A1", "A2", "B1", "B2", "C1", "C2"]
Licence = Literal["AM", "A", "B", "BE", "C1", "C", "CE", "D", "T"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Skill(Strict):
    label: Text
    years: float | None = Field(default=None, ge=0, le=60)


class Experience(Strict):
    title: Text
    years: float | None = Field(default=None, ge=0, le=60)


class Restriction(Strict):
    """Either a documented code (with a value where the code takes one) or free text."""

    code: RestrictionCode | None = None
    value: float | None = Field(default=None, ge=0, le=1000)
    text: Text | None = None

    @model_validator(mode="after")
    def _code_or_text(self) -> Restriction:
        if (self.code is None) == (self.text is None):
            raise ValueError("give either a restriction code or a text, not both or neither")
        if self.code in VALUED_RESTRICTIONS and self.value is None:
            raise ValueError(f"restriction {self.code.value} needs a value")
        return self


class Demand(Strict):
    code: DemandCode
    value: float | None = Field(default=None, ge=0, le=1000)

    @model_validator(mode="after")
    def _valued(self) -> Demand:
        if self.code in VALUED_DEMANDS and self.value is None:
            raise ValueError(f"demand {self.code.value} needs a value")
        return self


def _hours_order(low: int | None, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise ValueError("hours_min must not exceed hours_max")


class CandidateIn(Strict):
    municipality: Municipality
    postcode: Postcode | None = None
    trede: int | None = Field(default=None, ge=0, le=5)
    hours_min: Hours | None = None
    hours_max: Hours | None = None
    max_travel_km: int | None = Field(default=None, ge=0, le=300)
    driving_licences: list[Licence] = Field(default_factory=list, max_length=len(LICENCES))
    dutch_level: DutchLevel | None = None
    education_level: EducationLevel | None = None
    certificates: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    skills: list[Skill] = Field(default_factory=list, max_length=MAX_ITEMS)
    experience: list[Experience] = Field(default_factory=list, max_length=MAX_ITEMS)
    desired_occupations: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    shifts: list[Shift] = Field(default_factory=list, max_length=4)
    restrictions: list[Restriction] = Field(default_factory=list, max_length=MAX_ITEMS)
    summary: LongText = ""
    status: CandidateStatus = CandidateStatus.active
    monitoring: dict[Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,40}$")], Text] = Field(
        default_factory=dict, max_length=10, description="monitoring-only attributes; never used for scoring"
    )

    @field_validator("postcode")
    @classmethod
    def _pc4(cls, value: str | None) -> str | None:
        return value[:4] if value else value

    @field_validator("municipality", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _hours(self) -> CandidateIn:
        _hours_order(self.hours_min, self.hours_max)
        return self


class VacancyIn(Strict):
    title: Text
    description: LongText = ""
    employer: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), AfterValidator(_storable)] = ""
    postcode: Postcode | None = None
    hours_min: Hours | None = None
    hours_max: Hours | None = None
    shifts: list[Shift] = Field(default_factory=list, max_length=4)
    required_skills: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    preferred_skills: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    certificates: list[Text] = Field(default_factory=list, max_length=MAX_ITEMS)
    driving_licences: list[Licence] = Field(default_factory=list, max_length=len(LICENCES))
    dutch_level: DutchLevel | None = None
    education_level: EducationLevel | None = None
    demands: list[Demand] = Field(default_factory=list, max_length=MAX_ITEMS)
    support: list[Support] = Field(default_factory=list, max_length=4)
    positions: int = Field(default=1, ge=1, le=1000)
    closes_at: date | None = None
    status: VacancyStatus = VacancyStatus.open
    # Who stated the fields this body sets: the sender ("given"), or "jobposting" / "page" when a schema.org
    # JobPosting or a web page was read into it. Not part of the body; fields it leaves open are read from text.
    _stated_by: str = PrivateAttr(default="given")

    @property
    def stated_by(self) -> str:
        return self._stated_by

    @stated_by.setter
    def stated_by(self, value: str) -> None:
        self._stated_by = value

    @field_validator("postcode")
    @classmethod
    def _pc4(cls, value: str | None) -> str | None:
        return value[:4] if value else value

    @model_validator(mode="after")
    def _hours(self) -> VacancyIn:
        _hours_order(self.hours_min, self.hours_max)
        return self


class OutcomeEvent(StrEnum):
    proposed = "proposed"
    invited = "invited"
    interviewed = "interviewed"
    hired = "hired"
    rejected = "rejected"
    declined = "declined"
    no_show = "no_show"
    retained_6m = "retained_6m"
    left_job = "left_job"


class RejectionReason(StrEnum):
    skills_mismatch = "skills_mismatch"
    experience = "experience"
    availability = "availability"
    distance = "distance"
    language = "language"
    no_show = "no_show"
    other = "other"


class VacancyKey(Strict):
    source: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    external_id: Ref


class OutcomeIn(Strict):
    event: OutcomeEvent
    candidate_ref: Ref
    vacancy: VacancyKey
    request_id: str | None = Field(default=None, pattern=r"^[0-9a-fA-F-]{36}$")
    reason: RejectionReason | None = None
    occurred_at: datetime | None = None
    manual: bool = False
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=1000), AfterValidator(_storable)] | None = None

    @model_validator(mode="after")
    def _reason(self) -> OutcomeIn:
        if self.event == OutcomeEvent.rejected and self.reason is None:
            raise ValueError("a rejection needs a reason")
        if self.event not in REASONED_EVENTS and self.reason is not None:
            raise ValueError("only a rejection, a decline, a no-show or leaving the job takes a reason")
        return self


# A rejection needs a reason; a decline by the candidate, a no-show and leaving the job may give one.
REASONED_EVENTS = {OutcomeEvent.rejected, OutcomeEvent.declined, OutcomeEvent.no_show, OutcomeEvent.left_job}
