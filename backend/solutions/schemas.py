"""Request and response shapes for situations, solutions, their status history and evaluations.

The table classes live in models.py; these families (Create / Update / Public) are what the API
accepts and returns. Texts are trimmed and length-limited here, so the service sees clean input."""

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from backend.dates import IsoDate
from backend.openapi import not_nullable
from backend.text import length, limits, multi_line, one_line

SituationStatus = Literal["open", "handled", "parked"]
Perspective = Literal["P", "U", "X"]
SolutionStatus = Literal["proposed", "trial", "adopted", "dropped"]
Effect = Literal["less", "same", "more"]
Decision = Literal["keep", "adjust", "drop"]

Title = Annotated[str, AfterValidator(one_line), AfterValidator(length(1, 120)), limits(1, 120)]
When = Annotated[str, AfterValidator(one_line), AfterValidator(length(0, 60)), limits(0, 60)]
# A row id given in a body; bounded like PathId, so PostgreSQL never sees an out-of-range integer.
RowId = Annotated[int, Field(ge=1, le=2_147_483_647)]
LongText = Annotated[
    str, AfterValidator(multi_line), AfterValidator(length(0, 2000)), limits(0, 2000, lines="many")
]


class _Input(BaseModel):
    # Unknown fields are an error, so a misspelt "stauts" does not silently do nothing.
    model_config = ConfigDict(extra="forbid")


class _Update(_Input):
    # Only the fields in `nullable` take null; the document says so.
    model_config = ConfigDict(extra="forbid", json_schema_extra=not_nullable("nullable"))

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: object) -> object:
        # PATCH leaves out what it does not change; an explicit null would erase a required value.
        if isinstance(data, dict):
            for name, value in data.items():
                if value is None and name in cls.model_fields and name not in cls.nullable:
                    raise ValueError(f"{name} may be left out but not null")
        return data

    nullable: ClassVar[frozenset[str]] = frozenset()


# --- Situations -------------------------------------------------------------------------------


class SituationBase(BaseModel):
    title: Title
    when: When = ""
    description: LongText = ""
    status: SituationStatus = "open"


class SituationCreate(SituationBase, _Input):
    pass


class SituationUpdate(_Update):
    title: Title | None = None
    when: When | None = None
    description: LongText | None = None
    status: SituationStatus | None = None


class SituationPublic(SituationBase):
    id: int
    team_id: int
    created_at: datetime
    updated_at: datetime


# --- Solutions --------------------------------------------------------------------------------


class SolutionBase(BaseModel):
    situation_id: RowId | None = None
    perspective: Perspective
    title: Title
    details: LongText = ""
    review_date: IsoDate | None = None


class SolutionCreate(SolutionBase, _Input):
    # A new idea is proposed; the guided flow creates the ideas the team chose to try as "trial".
    status: Literal["proposed", "trial"] = "proposed"


class SolutionUpdate(_Update):
    nullable: ClassVar[frozenset[str]] = frozenset({"situation_id", "review_date"})

    situation_id: RowId | None = None
    perspective: Perspective | None = None
    title: Title | None = None
    details: LongText | None = None
    status: SolutionStatus | None = None
    review_date: IsoDate | None = None


class StatusChangePublic(BaseModel):
    from_status: SolutionStatus | None
    to_status: SolutionStatus
    changed_at: datetime


class SolutionPublic(SolutionBase):
    id: int
    team_id: int
    status: SolutionStatus
    created_at: datetime
    updated_at: datetime
    # Oldest first; the last entry is the current status and since when it holds.
    history: list[StatusChangePublic]


# --- Evaluations ------------------------------------------------------------------------------


class EvaluationBase(BaseModel):
    more_calm: Effect | None = None
    better_flow: Effect | None = None
    could_relax: Effect | None = None
    not_all_at_once: Effect | None = None
    negative_consequences: LongText = ""
    decision: Decision
    meeting_date: IsoDate


class EvaluationCreate(EvaluationBase, _Input):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra=not_nullable(only=("title", "details"))
    )

    # Chosen by the app when the follow-up is recorded (maybe offline); a retry with the same id
    # returns the stored evaluation instead of recording the meeting twice.
    client_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{16,64}$")
    # "adjust" keeps the solution in trial with edited text, given in the same request.
    title: Title | None = None
    details: LongText | None = None
    review_date: IsoDate | None = None

    @field_validator("title", "details", mode="before")
    @classmethod
    def _not_null_when_given(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("may be left out but not null")
        return value

    @model_validator(mode="after")
    def _edits_only_when_adjusting(self) -> "EvaluationCreate":
        if self.decision != "adjust" and ({"title", "details"} & self.model_fields_set):
            raise ValueError("title and details can only be edited with decision 'adjust'")
        if self.decision == "drop" and self.review_date is not None:
            raise ValueError("a dropped solution gets no review_date")
        return self


class EvaluationPublic(EvaluationBase):
    id: int
    solution_id: int
    client_id: str | None
    created_at: datetime
