"""Today's first screen on a phone (issue 10 item 4): with up to three active solutions, the
ratings are reached without scrolling past the solutions — compact solution rows, the title and
Ja / Delvist / Nej on one line, the details when a row is tapped."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.factories import make_member, make_team
from tests.frontend.conftest import make_active_solution, sign_in

pytestmark = pytest.mark.browser

TITLES = (
    "Garderoben i to hold",
    "Fast plads ved bordet til de mindste",
    "Pause på skift efter frokost",
)


def _box(page: Page, locator_name: str) -> dict[str, float]:
    box = page.get_by_role("radiogroup", name=locator_name, exact=True).bounding_box()
    assert box is not None
    return box


@pytest.mark.parametrize(
    ("width", "height", "in_sight"),
    [(390, 844, ("Ro", "Flow", "Arbejdspres")), (360, 640, ("Ro",))],
)
def test_ratings_start_on_the_first_screen_with_three_solutions(
    page: Page, session: Session, width: int, height: int, in_sight: tuple[str, ...]
) -> None:
    page.set_viewport_size({"width": width, "height": height})
    team = make_team(session)
    for title in TITLES:
        make_active_solution(session, team, title)
    sign_in(page, make_member(session, team).token)
    expect(page.get_by_role("radiogroup", name="Ro", exact=True)).to_be_visible()

    solutions = [page.get_by_role("radiogroup", name=title) for title in TITLES]
    for group in solutions:
        box = group.bounding_box()
        assert box is not None
        # One row: the marks sit beside the title (a long title may take two lines).
        assert box["height"] <= 100, box
        yes = group.get_by_role("radio", name="Ja").bounding_box()
        assert yes is not None and yes["y"] < box["y"] + 30
    # Without scrolling: the solutions end and the ratings begin on the first screen.
    for name in in_sight:
        box = _box(page, name)
        assert box["y"] + box["height"] <= height, (name, box)
    assert page.evaluate("document.querySelector('.page').scrollTop") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_solutions_details_stay_its_description_and_nothing_moves_on_a_tap(
    page: Page, session: Session
) -> None:
    team = make_team(session)
    solution = make_active_solution(session, team, "Garderoben i to hold")
    solution.details = "Halvdelen går ud kl. 11.30, resten kl. 11.45"
    session.add(solution)
    session.commit()
    sign_in(page, make_member(session, team).token)
    group = page.get_by_role("radiogroup", name="Garderoben i to hold")
    # A screen reader hears the perspective and the details with the group.
    expect(group).to_have_accessible_description(
        "P – Prioritere opgaver · Halvdelen går ud kl. 11.30, resten kl. 11.45"
    )
    before = _box(page, "Ro")
    group.get_by_role("radio", name="Delvist").click()
    assert _box(page, "Ro") == before  # the ratings do not move under the finger
