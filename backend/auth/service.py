"""Coordinator accounts, login with lockout, and token issue/revocation."""

from datetime import timedelta

from sqlmodel import Session, col, delete, func, select

from backend import clock, security
from backend.auth.models import Coordinator, CoordinatorOrg, CoordinatorToken, LoginFailure
from backend.config import settings
from backend.errors import TooManyRequests, Unauthorized, Unprocessable
from backend.orgs.models import Organisation
from backend.text import no_control_characters


class InvalidEmail(Unprocessable):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_coordinator(*, session: Session, email: str, password: str) -> Coordinator:
    coordinator = Coordinator(
        email=normalize_email(email), password_hash=security.hash_password(password)
    )
    session.add(coordinator)
    session.flush()
    return coordinator


def add_to_org(*, session: Session, coordinator: Coordinator, org: Organisation) -> None:
    assert coordinator.id is not None and org.id is not None
    if session.get(CoordinatorOrg, (coordinator.id, org.id)) is None:
        session.add(CoordinatorOrg(coordinator_id=coordinator.id, org_id=org.id))
        session.flush()


def get_by_email(*, session: Session, email: str) -> Coordinator | None:
    return session.exec(
        select(Coordinator).where(Coordinator.email == normalize_email(email))
    ).first()


def _recent_failures(*, session: Session, email: str) -> int:
    since = clock.now() - timedelta(minutes=settings.login_lockout_minutes)
    count = session.exec(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.email == email, col(LoginFailure.failed_at) >= since)
    ).one()
    return int(count)


def authenticate(*, session: Session, email: str, password: str) -> Coordinator:
    """Returns the coordinator or raises; wrong password and unknown email cost the same time."""
    try:
        email = no_control_characters(normalize_email(email))
    except ValueError as problem:
        raise InvalidEmail(f"username: {problem}") from None
    if _recent_failures(session=session, email=email) >= settings.login_max_failures:
        raise TooManyRequests(
            "Too many failed logins for this email; try again later",
            retry_after_seconds=settings.login_lockout_minutes * 60,
        )
    coordinator = get_by_email(session=session, email=email)
    # Verify against a dummy hash for unknown emails so response time does not reveal which exist.
    password_hash = coordinator.password_hash if coordinator else security.DUMMY_PASSWORD_HASH
    if not security.verify_password(password, password_hash) or coordinator is None:
        session.add(LoginFailure(email=email))
        # Failures older than the lockout window count for nothing: forget them (any email), so
        # the table stays small however many wrong logins are tried.
        stale_before = clock.now() - timedelta(minutes=settings.login_lockout_minutes)
        session.exec(delete(LoginFailure).where(col(LoginFailure.failed_at) < stale_before))
        # The failure must be stored although the request ends in an error (no request commit).
        session.commit()
        raise Unauthorized("Incorrect email or password")
    session.exec(delete(LoginFailure).where(col(LoginFailure.email) == email))
    return coordinator


def issue_token(*, session: Session, coordinator: Coordinator) -> str:
    assert coordinator.id is not None
    token = security.new_token()
    session.add(
        CoordinatorToken(
            coordinator_id=coordinator.id,
            token_hash=security.hash_token(token),
            expires_at=clock.now() + timedelta(days=settings.coordinator_token_days),
        )
    )
    return token


def coordinator_for_token(*, session: Session, token: str) -> Coordinator | None:
    row = session.exec(
        select(Coordinator)
        .join(CoordinatorToken, col(CoordinatorToken.coordinator_id) == Coordinator.id)
        .where(
            CoordinatorToken.token_hash == security.hash_token(token),
            col(CoordinatorToken.expires_at) > clock.now(),
        )
    ).first()
    return row


def revoke_token(*, session: Session, token: str) -> None:
    session.exec(
        delete(CoordinatorToken).where(
            col(CoordinatorToken.token_hash) == security.hash_token(token)
        )
    )


def org_ids(*, session: Session, coordinator: Coordinator) -> list[int]:
    return list(
        session.exec(
            select(CoordinatorOrg.org_id).where(CoordinatorOrg.coordinator_id == coordinator.id)
        ).all()
    )
