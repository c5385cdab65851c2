"""The `pux` command: serve, migrate, create-coordinator, demo."""

import argparse
import sys

from alembic import command
from alembic.config import Config

from backend import db
from backend.config import ROOT_DIR, settings


def migrate() -> None:
    if settings.database_url.startswith("sqlite:///"):
        (ROOT_DIR / "data").mkdir(exist_ok=True)
    config = Config(str(ROOT_DIR / "alembic.ini"))
    config.attributes["configure_logger"] = False
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def serve(*, run_migrations: bool) -> None:
    import uvicorn

    if run_migrations:
        migrate()
    base = settings.public_base_url
    print(f"PUX Puls on {base}/  (API docs: {base}/docs)", flush=True)
    uvicorn.run("backend.main:app", host="127.0.0.1", port=settings.port, log_level="info")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pux", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve the app")
    serve_parser.add_argument("--migrate", action="store_true", help="migrate first")
    commands.add_parser("migrate", help="upgrade the database to the latest schema")
    args = parser.parse_args(argv)

    if args.command == "serve":
        serve(run_migrations=args.migrate)
    elif args.command == "migrate":
        migrate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
