"""Request and response schemas of the REST API (typed; they generate the OpenAPI)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class ErrorOut(Schema):
    error: str = Field(description="machine-readable error code")
    detail: str = Field(description="what was wrong, in words")
    fields: dict[str, list[str]] = Field(default_factory=dict,
                                         description="problems per input field")


class CategoryOut(Schema):
    slug: str
    name: str
    parent: str | None
    drug_related: bool
    tip_allowed: bool


class ReportIn(Schema):
    category: str = Field(description="category slug, see /categories")
    occurred_from: datetime | None = Field(None, description="ISO 8601 with offset; default now")
    occurred_to: datetime | None = Field(None, description="end of an interval, optional")
    lon: float | None = Field(None, description="WGS84 longitude")
    lat: float | None = Field(None, description="WGS84 latitude")
    accuracy_m: int | None = None
    place: int | None = Field(None, description="id of a registered place")
    persons: int = 0
    age_under_15: int = 0
    age_15_17: int = 0
    age_18_25: int = 0
    age_26_plus: int = 0
    gender_female: int = 0
    gender_male: int = 0
    gender_unknown: int = 0
    setting: str = Field("unknown", description="unknown | outdoor | indoor")
    text: str = Field("", description="free text; identifiers are removed before storage")
    visibility: str = Field("partners", description="public | partners | restricted")
    restricted_to: list[str] = Field(default_factory=list,
                                     description="organisation slugs when restricted")
    external_id: str | None = None
    city: str | None = Field(None, description="city slug; default the caller's city")


class TipIn(Schema):
    category: str
    lon: float
    lat: float
    occurred_at: datetime | None = None
    text: str = ""
    city: str | None = None


class CreatedOut(Schema):
    id: int


class ReportOut(Schema):
    id: int
    city: str
    occurred_from: datetime
    occurred_to: datetime | None
    reported_at: datetime
    lon: float
    lat: float
    accuracy_m: int | None
    category: str
    category_name: str
    source: str
    source_name: str
    source_kind: str
    channel: str
    place: int | None
    place_name: str | None
    district: str | None
    setting: str
    persons: int
    ages: dict[str, int]
    genders: dict[str, int]
    text: str
    scrubbed: list[str]
    visibility: str
    restricted_to: list[str]
    review_status: str
    reviewed_at: datetime | None
    duplicate_of: int | None


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    results: list[ReportOut]


class ReviewIn(Schema):
    status: str = Field(description="confirmed | rejected | duplicate | new")
    duplicate_of: int | None = None


class PlaceOut(Schema):
    id: int
    slug: str
    name: str
    place_type: str
    lon: float
    lat: float
    district: str | None
    owner_kind: str
    indoor: bool
    status: str


class DistrictOut(Schema):
    slug: str
    name: str
    police_class: str
    geometry: dict
