"""The trends as files: CSV (RFC 4180, UTF-8 with BOM) and a spreadsheet (numbers as numbers).

Both hold exactly the rows of GET /orgs/{id}/trends (service.trend_rows), so an export obeys the
same rules as the screens: suppressed cells have empty means, open weeks are not there."""

import csv
import io
from datetime import date
from typing import Any, Literal

import xlsxwriter

from backend import clock
from backend.insights import weeks
from backend.insights.service import TrendRows

Lang = Literal["da", "en"]

# (key, Danish, English) — the words of the app's glossary (Ro, Flow, Arbejdspres, For få svar).
COLUMNS = (
    ("week", "Uge", "Week"),
    ("week_start", "Ugestart", "Week start"),
    ("team_id", "Team-id", "Team id"),
    ("team", "Team", "Team"),
    ("respondents", "Svarede", "Respondents"),
    ("members", "Medlemmer", "Members"),
    ("calm", "Ro", "Calm"),
    ("flow", "Flow", "Flow"),
    ("workload", "Arbejdspres", "Workload"),
    ("suppressed", "For få svar", "Too few answers"),
    ("teams", "Teams med", "Teams included"),
    ("teams_left_out", "Teams udeladt", "Teams left out"),
)
YES_NO = {"da": ("ja", "nej"), "en": ("yes", "no")}
SHEET = {"da": ("Udvikling", "Om tallene"), "en": ("Trends", "About")}


def _records(rows: TrendRows) -> list[list[Any]]:
    """One list per period, in COLUMNS order; None where a value is absent."""
    names = dict(rows.teams)
    return [
        [
            weeks.iso_week(period["period_start"]),
            period["period_start"],
            period["team_id"],
            rows.org.name if period["team_id"] is None else names.get(period["team_id"], ""),
            period["respondents"],
            period["members"],
            period["calm"],
            period["flow"],
            period["workload"],
            period["suppressed"],
            period.get("teams"),
            period.get("teams_left_out"),
        ]
        for period in rows.periods
    ]


def _header(lang: Lang) -> list[str]:
    return [danish if lang == "da" else english for _, danish, english in COLUMNS]


def filename(rows: TrendRows, extension: str) -> str:
    return f"pux-puls-{rows.window.first}-{rows.window.last}.{extension}"


def to_csv(rows: TrendRows, lang: Lang) -> bytes:
    """RFC 4180: comma-separated, CRLF line ends, quotes where needed; UTF-8 with a BOM so Excel
    reads æ, ø and å right. Decimals are written with a point."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header(lang))
    yes, no = YES_NO[lang]
    for record in _records(rows):
        record[9] = yes if record[9] else no
        writer.writerow(["" if value is None else value for value in record])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _about(rows: TrendRows, lang: Lang) -> list[tuple[str, Any]]:
    window = rows.window
    if lang == "da":
        return [
            ("Organisation", rows.org.name),
            ("Fra", window.first),
            ("Til", window.last),
            ("Anonymitetsgrænse", rows.org.anonymity_threshold),
            ("Lavet", clock.now().strftime("%Y-%m-%d %H:%M UTC")),
            (
                "Sådan læses tallene",
                "Hver række er et team eller hele organisationen i én afsluttet uge"
                f" (mandag–søndag). En uge vises kun, når mindst {rows.org.anonymity_threshold}"
                " forskellige har svaret; ellers står der 'For få svar', og ugen tæller ikke med i"
                " organisationens tal. Skala 1–5; høj ro og godt flow er godt, højt arbejdspres"
                " er skidt.",
            ),
        ]
    return [
        ("Organisation", rows.org.name),
        ("From", window.first),
        ("To", window.last),
        ("Anonymity threshold", rows.org.anonymity_threshold),
        ("Made", clock.now().strftime("%Y-%m-%d %H:%M UTC")),
        (
            "How to read it",
            "Each row is a team or the whole organisation in one closed week (Monday–Sunday)."
            f" A week is shown only when at least {rows.org.anonymity_threshold} different people"
            " answered; otherwise it says 'Too few answers' and the week does not count in the"
            " organisation's figures. Scale 1–5; high calm and good flow are good, high workload"
            " is bad.",
        ),
    ]


def to_xlsx(rows: TrendRows, lang: Lang) -> bytes:
    """The same table as a workbook: dates as dates, counts as integers, means as numbers with two
    decimals (Danish Excel shows 3,42), a boolean for suppression; a second sheet explains it."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # Each row is written as it comes: fast and small for 26 000 rows.
            "constant_memory": True,
            # Text stays text: a team called "=1+1" is not a formula, "www.x.dk" not a link.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    mean = book.add_format({"num_format": "0.00"})
    data_name, about_name = SHEET[lang]
    sheet = book.add_worksheet(data_name)
    sheet.freeze_panes(1, 0)
    # Formats by column (a cell written without one takes its column's): means with two decimals.
    for column, width in enumerate((10, 11, 8, 28, 9, 10, 7, 7, 11, 12, 10, 12)):
        sheet.set_column(column, column, width, mean if column in (6, 7, 8) else None)
    sheet.write_row(0, 0, _header(lang), bold)
    records = _records(rows)
    for r, record in enumerate(records, start=1):
        sheet.write_row(r, 0, record)
    sheet.autofilter(0, 0, max(len(records), 1), len(COLUMNS) - 1)
    about = book.add_worksheet(about_name)
    about.set_column(0, 0, 22)
    about.set_column(1, 1, 100)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for r, (label, value) in enumerate(_about(rows, lang)):
        about.write_string(r, 0, label, bold)
        if isinstance(value, date):
            about.write_datetime(r, 1, value, day)
        elif isinstance(value, int):
            about.write_number(r, 1, value)
        else:
            about.write_string(r, 1, value, wrap)
    book.close()
    return buffer.getvalue()
