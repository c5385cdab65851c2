"""What a reminder says, in the member's language: the Declarative Web Push message (W3C Push API)
that Safari shows by itself and the service worker shows elsewhere."""

from datetime import date
from typing import Any, Literal

from backend.config import settings

Kind = Literal["morning", "follow_up", "test"]
MAX_NAMED_SOLUTIONS = 3
# One tag (and push topic) for the day's reminders: the follow-up replaces the morning's
# notification instead of stacking under it. A test has its own, so it never hides a reminder.
REMINDER_TAG = "pux-reminder"
TEST_TAG = "pux-test"

TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "title.earlier": "Hvordan gik {day}?",
        "title.today": "Husk jeres løsninger i dag",
        "title.follow_up": "Hvordan gik i dag?",
        "title.test": "Påmindelser virker",
        "body.solutions": "Husk: {solutions}",
        "body.more": "{solutions} og {count} mere",
        "body.none": "Tjek ind – det tager under et minut.",
        "day.yesterday": "i går",
        "action.checkin": "Tjek ind",
        "action.later": "Senere",
    },
    "en": {
        "title.earlier": "How did {day} go?",
        "title.today": "Remember your solutions today",
        "title.follow_up": "How did today go?",
        "title.test": "Reminders work",
        "body.solutions": "Remember: {solutions}",
        "body.more": "{solutions} and {count} more",
        "body.none": "Check in – it takes less than a minute.",
        "day.yesterday": "yesterday",
        "action.checkin": "Check in",
        "action.later": "Later",
    },
}
WEEKDAYS = {
    "da": ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}


def today_url(work_date: date) -> str:
    """Today opened on the date to rate; absolute, since a notification has no page around it."""
    return f"{settings.public_base_url}/?date={work_date.isoformat()}"


def _day(work_date: date, today: date, texts: dict[str, str], lang: str) -> str:
    if (today - work_date).days == 1:
        return texts["day.yesterday"]
    return WEEKDAYS[lang][work_date.weekday()]


def _body(solutions: list[str], texts: dict[str, str]) -> str:
    if not solutions:
        return texts["body.none"]
    named = " · ".join(solutions[:MAX_NAMED_SOLUTIONS])
    if len(solutions) > MAX_NAMED_SOLUTIONS:
        named = texts["body.more"].format(
            solutions=named, count=len(solutions) - MAX_NAMED_SOLUTIONS
        )
    return texts["body.solutions"].format(solutions=named)


def reminder_message(
    *, kind: Kind, lang: str, today: date, work_date: date, solutions: list[str]
) -> dict[str, Any]:
    """The declarative push message: `web_push: 8030` and a notification whose `navigate` opens
    Today on `work_date`; `solutions` are the team's active solutions' titles, in their order."""
    lang = lang if lang in TEXTS else "da"
    texts = TEXTS[lang]
    if kind == "test":
        title = texts["title.test"]
    elif kind == "follow_up":
        title = texts["title.follow_up"]
    elif work_date < today:
        title = texts["title.earlier"].format(day=_day(work_date, today, texts, lang))
    else:
        title = texts["title.today"]
    navigate = today_url(work_date)
    base = settings.public_base_url
    return {
        "web_push": 8030,
        "notification": {
            "title": title,
            "body": _body(solutions, texts),
            "navigate": navigate,
            "tag": TEST_TAG if kind == "test" else REMINDER_TAG,
            "lang": lang,
            "dir": "ltr",
            "silent": False,
            "icon": f"{base}/icons/icon-192.png",
            "badge": f"{base}/icons/badge-96.png",
            # Declarative actions need a URL each; the service worker treats "later" as dismiss.
            "actions": [
                {"action": "checkin", "title": texts["action.checkin"], "navigate": navigate},
                {"action": "later", "title": texts["action.later"], "navigate": navigate},
            ],
            "data": {"work_date": work_date.isoformat(), "kind": kind},
        },
    }
