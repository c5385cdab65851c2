"""Team summary, organisation trends, solution effects and the exports: parse, call, return.

The documents are built as plain data by the service and serialised once, without validating them
through the response model again (a 500-team trend has 26 000 rows: that would cost more than
building them); the trends are kept serialised and compressed by the service (insights.cache).
The response models still describe them in the OpenAPI document, and the tests check that every
answer validates against its model."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic_core import to_json

from backend import http
from backend.auth.dependencies import CurrentActor
from backend.dates import IsoDate
from backend.db import SessionDep
from backend.insights import export, service
from backend.insights.schemas import OrgSolutionEffects, OrgTrends, TeamSummary
from backend.orgs.dependencies import OrgForCoordinator
from backend.teams.dependencies import TeamForActor

router = APIRouter(tags=["insights"])

From = Annotated[
    IsoDate | None,
    Query(alias="from", description="first day; the range starts on the Monday of its week"),
]
To = Annotated[
    IsoDate | None,
    Query(
        alias="to",
        description="last day; the range ends on the Sunday of its week, or at the newest closed "
        "week if that is earlier (default: the newest closed week, 12 weeks in all)",
    ),
]
TeamIds = Annotated[
    list[Annotated[int, Query(ge=1, le=2_147_483_647)]] | None,
    Query(alias="team_id", description="only these teams' rows (repeat for several)"),
]
WeeksBefore = Annotated[
    int, Query(ge=1, le=26, description="weeks before a trial week that its 'before' may use")
]
WeeksAfter = Annotated[
    int | None,
    Query(ge=1, le=156, description="at most this many weeks after (default: all since)"),
]
Lang = Annotated[
    Literal["da", "en"] | None,
    Query(description="language of the column names (default: the organisation's)"),
]


def _json(document: dict[str, Any]) -> Response:
    # Compressed by the app's GZip middleware, like every response (backend/main.py).
    return Response(to_json(document), media_type="application/json")


def _kept(document: service.Encoded, request: Request) -> Response:
    """A document kept encoded (and compressed, by the same rule as the middleware, which passes
    a response with Content-Encoding through): a 500-team year is 3.4 MB of JSON."""
    accepts = "gzip" in request.headers.get("accept-encoding", "")
    if accepts and len(document.body) >= http.GZIP_MIN_BYTES:
        return Response(
            document.gzipped(),
            media_type="application/json",
            headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"},
        )
    return Response(document.body, media_type="application/json")


def _range(first: date | None, last: date | None) -> dict[str, date | None]:
    return {"first": first, "last": last}


@router.get("/teams/{team_id}/summary", response_model=TeamSummary)
def team_summary(
    team: TeamForActor,
    actor: CurrentActor,
    session: SessionDep,
    first: From = None,
    last: To = None,
    weeks_before: WeeksBefore = service.DEFAULT_WEEKS_BEFORE,
    weeks_after: WeeksAfter = None,
) -> Response:
    """The team's closed weeks (respondents, and for shown weeks the means and solution use), each
    solution that has been in trial with its before/after, the rest of the organisation in the
    same weeks and its use, and — for the team's own members — the comments they shared."""
    return _json(
        service.team_summary(
            session=session,
            team=team,
            **_range(first, last),
            weeks_before=weeks_before,
            weeks_after=weeks_after,
            with_comments=actor.member is not None,
        )
    )


@router.get("/orgs/{org_id}/trends", response_model=OrgTrends)
def org_trends(
    org: OrgForCoordinator,
    session: SessionDep,
    request: Request,
    first: From = None,
    last: To = None,
    team_ids: TeamIds = None,
) -> Response:
    """Per closed ISO week the organisation row (the shown teams added up, and how many teams
    were left out) and each team's row; totals over the range. For the charts and the heat map."""
    rows = service.trend_rows(session=session, org=org, **_range(first, last), team_ids=team_ids)
    return _kept(service.trends_json(rows), request)


@router.get("/orgs/{org_id}/solution-effects", response_model=OrgSolutionEffects)
def org_solution_effects(
    org: OrgForCoordinator,
    session: SessionDep,
    team_ids: TeamIds = None,
    weeks_before: WeeksBefore = service.DEFAULT_WEEKS_BEFORE,
    weeks_after: WeeksAfter = None,
) -> Response:
    """Every solution across the organisation's teams that has been in trial, with its status,
    before/after, the rest of the organisation in the same weeks, and its use."""
    return _json(
        service.org_solution_effects(
            session=session,
            org=org,
            team_ids=team_ids,
            weeks_before=weeks_before,
            weeks_after=weeks_after,
        )
    )


def _download(content: bytes, media_type: str, name: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


_CSV: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "The trend rows as CSV"}
}
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_XLSX: dict[int | str, dict[str, Any]] = {
    200: {"content": {_XLSX_TYPE: {}}, "description": "The trend rows as a workbook"}
}


@dataclass(frozen=True)
class _Export:
    rows: service.TrendRows
    lang: Literal["da", "en"]


def _export(
    org: OrgForCoordinator,
    session: SessionDep,
    first: From = None,
    last: To = None,
    team_ids: TeamIds = None,
    lang: Lang = None,
) -> _Export:
    """The trend rows an export holds, and the language of its column names."""
    rows = service.trend_rows(session=session, org=org, **_range(first, last), team_ids=team_ids)
    return _Export(rows=rows, lang=lang or ("en" if org.locale == "en" else "da"))


ExportRows = Annotated[_Export, Depends(_export)]


@router.get("/orgs/{org_id}/export.csv", response_class=Response, responses=_CSV)
def export_csv(rows: ExportRows) -> Response:
    """The rows of the trends as CSV (RFC 4180, UTF-8 with BOM)."""
    content = export.to_csv(rows.rows, rows.lang)
    return _download(content, "text/csv; charset=utf-8", export.filename(rows.rows, "csv"))


@router.get("/orgs/{org_id}/export.xlsx", response_class=Response, responses=_XLSX)
def export_xlsx(rows: ExportRows) -> Response:
    """The rows of the trends as a spreadsheet: numbers stored as numbers, dates as dates."""
    content = export.to_xlsx(rows.rows, rows.lang)
    return _download(content, _XLSX_TYPE, export.filename(rows.rows, "xlsx"))
