"""The `pux` command: serve, migrate, create-coordinator, demo, backup, restore, rollup, purge,
send-reminders, worker, rotate-vapid-key."""

import argparse
import asyncio
import getpass
import os
import shutil
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, col, select

from backend import backup, db, demo, health, logformat, metrics
from backend.auth import service as auth_service
from backend.config import ROOT_DIR, settings
from backend.insights import maintenance as insights_maintenance
from backend.orgs.models import Organisation
from backend.reminders import dispatch, push, vapid, worker
from backend.teams import service as team_service

MIN_PASSWORD_LENGTH = 8


class CliError(Exception):
    """A problem the user can fix; printed without a traceback."""


def migrate() -> None:
    if settings.database_url.startswith("sqlite:///"):
        (ROOT_DIR / "data").mkdir(exist_ok=True)
    db.create_missing_sqlite_file(db.engine)
    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _database() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _pux() -> str:
    """How to type the `pux` command here: `pux` when it is on PATH (a container), else its path,
    e.g. `.venv/bin/pux` after `make run`."""
    if shutil.which("pux"):
        return "pux"
    installed = Path(sys.executable).with_name("pux")
    return os.path.relpath(installed) if installed.is_relative_to(Path.cwd()) else str(installed)


def startup_lines() -> list[str]:
    """What `serve` does before it serves: seeds the demo on a new database, and says where to go.

    A database is new when it has no organisation. The demo (public password, derivable tokens) is
    never seeded or shown in production."""
    base = settings.public_base_url
    lines = [f"PUX Puls:          {base}/", f"API docs:          {base}/docs"]
    with db.engine.begin() as connection, Session(bind=connection) as session:
        is_new = session.exec(select(Organisation.id).limit(1)).first() is None
        if is_new and settings.demo and settings.env != "production":
            result = demo.seed_demo(connection=connection, small_team=True)
            lines.append(f"Demo data:         {_summary(result)}")
        elif is_new:
            command = f"{_pux()} create-coordinator --email E --org NAME"
            lines.append(f"No organisation yet: `{command}` makes one.")
        team = None if settings.env == "production" else demo.find_demo_team(session=session)
        if team is not None:
            # Every start printing a new link piled invites up on the coordinator's team page:
            # the demo team's newest invite is reused while it still has a day to run.
            invite = team_service.reuse_or_create_invite(
                session=session, team=team, expires_in_days=settings.invite_days
            )
            lines += [
                f"Coordinator login: {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}",
                f"Staff join link:   {team_service.invite_public(invite).join_url}  ({team.name})",
            ]
    return lines


def serve(*, run_migrations: bool, host: str, port: int) -> None:
    import uvicorn

    if run_migrations:
        migrate()
    for line in startup_lines():
        print(line, flush=True)
    vapid.load_keys()  # the Web Push key pair exists from the first start on
    # The app itself believes X-Forwarded-For only from PUX_TRUSTED_PROXIES (backend/http.py);
    # uvicorn's own handling would trust loopback.
    log_config = logformat.config(json_lines=settings.json_logs)
    uvicorn.run(
        "backend.main:serving_app",
        factory=True,
        host=host,
        port=port,
        log_config=log_config,
        proxy_headers=False,
    )


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--now: not an ISO-8601 instant: {text!r}") from None
    if value.tzinfo is None:
        raise CliError("--now needs a time zone offset, e.g. 2027-03-26T07:45:00+01:00")
    return value


def send_reminders(*, now: str | None) -> str:
    """One reminder pass, at `now` or at the clock's time; says what it did."""
    report = push.run(dispatch.run_pass(now=_instant(now) if now else None))
    return report.summary()


def run_worker(*, metrics_port: int | None = None, metrics_host: str | None = None) -> None:
    """Reminder passes every minute until SIGINT or SIGTERM (then the sends under way finish);
    GET /metrics on `metrics_port` (PUX_WORKER_METRICS_PORT) when one is given."""
    logformat.configure(json_lines=settings.json_logs)
    vapid.load_keys()
    port = settings.worker_metrics_port if metrics_port is None else metrics_port
    host = metrics_host or settings.worker_metrics_host
    push.warm_up(settings.push_processes)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        runner = await worker.serve_metrics(host, port) if port else None
        try:
            await worker.run_forever(stop)
        finally:
            if runner is not None:
                await runner.cleanup()

    where = f"; metrics on http://{host}:{port}/metrics" if port else ""
    print(
        f"Reminder worker on {_database()}: a pass every minute, sent on "
        f"{settings.push_processes} process(es){where}; Ctrl+C stops.",
        flush=True,
    )
    try:
        push.run(main())
    finally:
        push.stop_helpers()
        metrics.process_stopped()


def rotate_vapid_key() -> list[str]:
    if settings.vapid_private_key:
        raise CliError(
            "PUX_VAPID_PRIVATE_KEY is set, so the stored key is not used: "
            "rotate by setting a new key there"
        )
    keys = vapid.rotate_stored_keys()
    return [
        f"New Web Push key pair in {_database()}; public key:",
        keys.public_key,
        "Devices subscribed with the old key get no pushes until the app re-subscribes them "
        "(it does so the next time it is opened).",
    ]


def _read_password() -> str:
    password = os.environ.get("PUX_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            raise CliError("no password: set PUX_PASSWORD or run in a terminal to be asked")
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password (again): ") != password:
            raise CliError("the two passwords differ")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CliError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


def create_coordinator(*, email: str, org_name: str) -> str:
    """Adds the coordinator to the organisation, creating either when missing; says what it did.

    An existing email is not duplicated and keeps its password: the account is only linked to the
    organisation (so one person can coordinate several organisations)."""
    email = auth_service.normalize_email(email)
    org_name = org_name.strip()
    if "@" not in email or len(email) > 254:
        raise CliError(f"not an email address: {email!r}")
    if not org_name or len(org_name) > 120:
        raise CliError("the organisation name must have 1 to 120 characters")
    with Session(db.engine) as session:
        exists = auth_service.get_by_email(session=session, email=email) is not None
    password = None if exists else _read_password()

    with db.engine.begin() as connection, Session(bind=connection) as session:
        orgs = session.exec(
            select(Organisation).where(Organisation.name == org_name).order_by(col(Organisation.id))
        ).all()
        if len(orgs) > 1:
            ids = ", ".join(str(o.id) for o in orgs)
            raise CliError(f"several organisations are named {org_name!r} (ids {ids})")
        org = orgs[0] if orgs else Organisation(name=org_name)
        session.add(org)
        session.flush()
        coordinator = auth_service.get_by_email(session=session, email=email)
        if coordinator is None:
            assert password is not None
            coordinator = auth_service.create_coordinator(
                session=session, email=email, password=password
            )
        auth_service.add_to_org(session=session, coordinator=coordinator, org=org)
        who = "Existing coordinator (password unchanged)" if exists else "Coordinator"
        where = "organisation" if orgs else "new organisation"
        return f"{who} {email} is in {where} {org_name!r} (id {org.id})."


def _summary(result: demo.DemoResult) -> str:
    rows = ", ".join(f"{table} {n:,}" for table, n in sorted(result.counts.items()) if n)
    return f"{demo.DEMO_ORG_NAME!r} (seed {result.seed}) in {result.seconds:.1f} s: {rows}"


def seed_demo(
    *,
    teams: int,
    members: int,
    weeks: int,
    seed: int | None,
    force: bool,
    small_team: bool = False,
) -> list[str]:
    started = time.perf_counter()
    with db.engine.begin() as connection:
        try:
            result = demo.seed_demo(
                connection=connection,
                teams=teams,
                members=members,
                weeks=weeks,
                seed=seed,
                allow_production=force,
                small_team=small_team,
            )
        except demo.DemoError as exc:
            raise CliError(str(exc)) from exc
    result.seconds = time.perf_counter() - started  # including the commit
    small = demo.SMALL_TEAM_MEMBERS if small_team else 0
    return [
        f"Demo data in {_database()}: {_summary(result)}",
        f"Coordinator login: {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}"
        + ("" if result.coordinator_created else " (existing account, password unchanged)"),
        f"Member tokens: backend.demo.member_token({result.seed}, n) for n in "
        f"0..{teams * members + small - 1}, team by team ({members} per team"
        + (f", then {small} in the small team)." if small else ")."),
    ]


def backup_database(path: str) -> str:
    try:
        info = backup.backup(engine=db.engine, path=Path(path))
    except backup.BackupError as exc:
        raise CliError(str(exc)) from exc
    return (
        f"Backed up {_database()} (schema {info.revision}) to {info.path} "
        f"({info.size_bytes / 1e6:.1f} MB) in {info.seconds:.1f} s."
    )


def restore_database(path: str, *, force: bool) -> list[str]:
    try:
        info = backup.restore(engine=db.engine, path=Path(path), replace=force)
    except backup.BackupError as exc:
        raise CliError(str(exc)) from exc
    lines = [
        f"Restored {info.path} into {_database()} (schema {info.revision}) in {info.seconds:.1f} s."
    ]
    if info.revision != health.migrations_head():
        lines.append(f"The code's schema is newer: run `{_pux()} migrate` before serving.")
    return lines


def maintain(*, org_id: int | None, purge: bool) -> list[str]:
    """`pux rollup` (freeze closed weeks) and `pux purge` (that, then retention): what was done."""
    started = time.perf_counter()
    done = insights_maintenance.run(db.engine, org_id=org_id, purge=purge)
    if org_id is not None and not done:
        raise CliError(f"no organisation with id {org_id}")
    lines = []
    for org in done:
        froze = org.result.freeze
        line = (
            f"{org.org_name!r} (id {org.org_id}): {froze.weeks:,} week roll-ups written "
            f"for {froze.teams:,} teams in {froze.seconds:.2f} s"
        )
        if purge:
            line += f"; {org.result.checkins:,} check-ins past retention deleted"
        lines.append(line)
    lines.append(f"Done in {time.perf_counter() - started:.2f} s.")
    return lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pux", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser(
        "serve", help="serve the app (seeds the demo on a new database unless PUX_DEMO=0)"
    )
    serve_parser.add_argument("--migrate", action="store_true", help="migrate first")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve_parser.add_argument("--port", type=int, default=settings.port, help="default PUX_PORT")

    commands.add_parser("migrate", help="upgrade the database to the latest schema")

    coordinator_parser = commands.add_parser(
        "create-coordinator",
        help="create a coordinator (password from PUX_PASSWORD or a prompt) in an organisation",
    )
    coordinator_parser.add_argument("--email", required=True)
    coordinator_parser.add_argument(
        "--org", required=True, help="organisation name; created if no organisation has it"
    )

    demo_parser = commands.add_parser(
        "demo", help="seed a demo organisation (development and tests only)"
    )
    demo_parser.add_argument("--teams", type=int, default=3)
    demo_parser.add_argument("--members", type=int, default=8, help="members per team")
    demo_parser.add_argument("--weeks", type=int, default=12, help="weeks of check-ins")
    demo_parser.add_argument("--seed", type=int, help="random seed (member tokens derive from it)")
    demo_parser.add_argument(
        "--force", action="store_true", help="allow it with PUX_ENV=production"
    )

    backup_parser = commands.add_parser(
        "backup", help="write the whole database to FILE (the app may keep running)"
    )
    backup_parser.add_argument("file")
    restore_parser = commands.add_parser(
        "restore", help="replace the database's contents with a backup (stop the app first)"
    )
    restore_parser.add_argument("file")
    restore_parser.add_argument(
        "--force", action="store_true", help="replace a database that holds data"
    )
    demo_parser.add_argument(
        "--small-team",
        action="store_true",
        help=f"add a team of {demo.SMALL_TEAM_MEMBERS}, too small to be shown (as `serve` does)",
    )
    for name, help_text in (
        ("rollup", "freeze every closed week: write its roll-up (idempotent)"),
        ("purge", "freeze, then delete raw check-ins older than each organisation's retention"),
    ):
        maintenance_parser = commands.add_parser(name, help=help_text)
        maintenance_parser.add_argument("--org", type=int, help="only this organisation (id)")

    reminders_parser = commands.add_parser(
        "send-reminders", help="run one reminder pass (for cron; passes never send twice)"
    )
    reminders_parser.add_argument(
        "--now", help="the instant of the pass, ISO-8601 with offset (default: the clock)"
    )
    worker_parser = commands.add_parser(
        "worker", help="run a reminder pass every minute, as a process of its own"
    )
    worker_parser.add_argument(
        "--metrics-port",
        type=int,
        help="serve GET /metrics on this port (default PUX_WORKER_METRICS_PORT; 0: none)",
    )
    worker_parser.add_argument(
        "--metrics-host", help="address for the metrics port (default PUX_WORKER_METRICS_HOST)"
    )
    commands.add_parser(
        "rotate-vapid-key", help="replace the stored Web Push key pair with a new one"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            serve(run_migrations=args.migrate, host=args.host, port=args.port)
        elif args.command == "migrate":
            migrate()
            print(f"{_database()} is at the latest schema.")
        elif args.command == "create-coordinator":
            print(create_coordinator(email=args.email, org_name=args.org))
        elif args.command == "demo":
            lines = seed_demo(
                teams=args.teams,
                members=args.members,
                weeks=args.weeks,
                seed=args.seed,
                force=args.force,
                small_team=args.small_team,
            )
            print("\n".join(lines))
        elif args.command == "send-reminders":
            print(send_reminders(now=args.now))
        elif args.command == "worker":
            run_worker(metrics_port=args.metrics_port, metrics_host=args.metrics_host)
        elif args.command == "rotate-vapid-key":
            print("\n".join(rotate_vapid_key()))
        elif args.command == "backup":
            print(backup_database(args.file))
        elif args.command == "restore":
            print("\n".join(restore_database(args.file, force=args.force)))
        elif args.command in ("rollup", "purge"):
            print("\n".join(maintain(org_id=args.org, purge=args.command == "purge")))
    except CliError as exc:
        print(f"pux: error: {exc}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as exc:
        print(
            f"pux: error: the database {_database()} is not reachable or not migrated "
            f"({type(exc.orig).__name__}: {str(exc.orig).strip()}); run `pux migrate` first",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
