"""Coordinator accounts, login with failed-attempt limits, and token issue/revocation."""

from datetime import timedelta

from sqlmodel import Session, col, delete, select

from backend import clock, ratelimit, security
from backend.auth.models import Coordinator, CoordinatorOrg, CoordinatorToken
from backend.config import settings
from backend.errors import Unauthorized, Unprocessable
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


def authenticate(*, session: Session, email: str, password: str, client: str) -> Coordinator:
    """Returns the coordinator or raises; wrong password and unknown email cost the same time.

    Failures count per client address and account together, per account and per address
    (backend/ratelimit.py); a blocked attempt is refused before any password is checked, with the
    true time left. An address the coordinator has logged in from is judged only by its own
    failures for that account, so an attack from elsewhere never locks the owner out there."""
    try:
        email = no_control_characters(normalize_email(email))
    except ValueError as problem:
        raise InvalidEmail(f"username: {problem}") from None
    address = ratelimit.address_key(client)
    pair = ratelimit.LOGIN_PAIR.key(f"{address}|{email}")
    account = ratelimit.LOGIN_ACCOUNT.key(email)
    from_address = ratelimit.LOGIN_ADDRESS.key(address)
    known = f"{ratelimit.LOGIN_KNOWN}:{address}|{email}"
    checked = [pair] if ratelimit.is_remembered(known) else [pair, account, from_address]
    wait = ratelimit.blocked_for(checked)
    if wait:
        raise ratelimit.too_many(wait, "logins")
    coordinator = get_by_email(session=session, email=email)
    # Nothing is written yet: ending the read transaction returns its pooled connection, which
    # would otherwise be held through the wait for the hashing pool (concurrent logins ran the
    # pool dry and every other request waited for a connection).
    session.commit()
    # Verify against a dummy hash for unknown emails so response time does not reveal which exist.
    password_hash = coordinator.password_hash if coordinator else security.DUMMY_PASSWORD_HASH
    valid, new_hash = security.verify_password(password, password_hash)
    if not valid or coordinator is None:
        ratelimit.record_failure(
            [
                (ratelimit.LOGIN_PAIR, pair),
                (ratelimit.LOGIN_ACCOUNT, account),
                (ratelimit.LOGIN_ADDRESS, from_address),
            ]
        )
        raise Unauthorized("Incorrect email or password")
    if new_hash is not None:  # made with older parameters: replaced now that we know the password
        coordinator.password_hash = new_hash
        session.add(coordinator)
    # The account keeps its count: an attack from elsewhere goes on after the owner got in.
    ratelimit.forget([pair])
    ratelimit.remember(known, days=ratelimit.KNOWN_ADDRESS_DAYS)
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
