"""Dates as the API takes them: YYYY-MM-DD and nothing else."""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def _iso_date_only(value: object) -> object:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


# Pydantic alone would also take a midnight datetime ("2026-11-25T00:00Z") or a Unix timestamp
# ("1795564800", 1795564800) as that date; a client sending either has a bug worth hearing about.
IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
