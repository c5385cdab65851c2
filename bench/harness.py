"""What the benchmark scripts share: fresh databases, seeded members, servers started and
stopped, and wrk runs read into figures (rps, p99, statuses, server CPU per request)."""

import json
import os
import re
import socket
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("PUX_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
TIMEZONE = "Europe/Copenhagen"

# wrk runs this per thread: each request is a PUT of a valid check-in for the next (member, date)
# pair of this thread's stride, so all members and all dates of the window are hit, many twice.
CHECKIN_LUA = r"""
local tokens = {TOKENS}
local dates = {DATES}
-- Per token: the solution marks its member sends (its own team's active solutions), or "[]".
local marks = {MARKS}
-- Globals, not locals: wrk's thread:set/get reach only a thread's globals.
counter = 0
thread_id = 0
statuses = {}
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  counter = thread_id * 7919
  math.randomseed(thread_id + 1)
end

function request()
  counter = counter + 1
  local member = (counter % #tokens) + 1
  local token = tokens[member]
  local day = dates[(math.floor(counter / #tokens) % #dates) + 1]
  local comment = "null"
  if counter % 10 == 0 then comment = '"Travlt ved frokost, men vi nåede det"' end
  local body = string.format(
    '{"calm":%d,"flow":%d,"workload":%d,"comment":%s,"share_comment":%s,"solutions":%s}',
    math.random(1, 5), math.random(1, 5), math.random(1, 5), comment,
    counter % 3 == 0 and "true" or "false", marks[member])
  return wrk.format("PUT", "/api/v1/me/checkins/" .. day,
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  local class = math.floor(status / 100) .. "xx"
  statuses[class] = (statuses[class] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for class, n in pairs(s) do totals[class] = (totals[class] or 0) + n end
  end
  local parts = {}
  for class, n in pairs(totals) do table.insert(parts, string.format('"%s": %d', class, n)) end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end
"""


def window_dates(newest: int | None = None) -> list[str]:
    """The dates a seeded member may rate now (the teams work Monday to Friday, the window is 3
    working days), oldest first; `newest`: only the last so many, still in the window after a
    midnight."""
    from backend.checkins.workdates import checkin_window
    from backend.checkins.workdates import window_dates as dates_of

    dates = sorted(
        d.isoformat() for d in dates_of(checkin_window(TIMEZONE, frozenset(range(1, 6)), 3))
    )
    return dates[-newest:] if newest else dates


def lua_strings(values: list[str]) -> str:
    """A Lua table of string literals ([=[...]=] needs no escaping of JSON's quotes or ]])."""
    return "{" + ",".join(f"[=[{value}]=]" for value in values) + "}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_database(kind: str, workdir: Path) -> tuple[str, str | None]:
    """A fresh database URL (and, for PostgreSQL, its name to drop afterwards)."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", None
    import psycopg

    name = f"pux_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}", name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


SOLUTIONS_PER_TEAM = 2


def seed(url: str, *, teams: int, members: int, solutions: bool) -> list[str]:
    """Migrates and fills the database; returns the members' tokens (only hashes are stored).
    With `solutions`, every team has two solutions in trial/adopted for the last 30 days."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import insert

    from backend import db, security
    from backend.models import metadata

    engine = db.make_engine(url, create=True)
    with engine.begin() as connection:
        config = Config(str(ROOT / "alembic.ini"))
        config.attributes["configure_logger"] = False
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    t = metadata.tables
    now = datetime.now(UTC)
    tokens = [security.new_token() for _ in range(members)]
    with engine.begin() as connection:
        connection.execute(
            insert(t["organisation"]),
            [
                {
                    "id": 1,
                    "name": "Bench kommune",
                    "timezone": TIMEZONE,
                    "locale": "da",
                    "anonymity_threshold": 5,
                    "checkin_window_days": 3,
                    "created_at": now,
                }
            ],
        )
        connection.execute(
            insert(t["team"]),
            [
                {
                    "id": i + 1,
                    "org_id": 1,
                    "name": f"Stue {i + 1}",
                    "reminder_time": "07:45",
                    "working_days": "1,2,3,4,5",
                    "created_at": now,
                }
                for i in range(teams)
            ],
        )
        connection.execute(
            insert(t["member"]),
            [{"id": i + 1, "team_id": i % teams + 1, "joined_at": now} for i in range(members)],
        )
        connection.execute(
            insert(t["member_token"]),
            [
                {"member_id": i + 1, "token_hash": security.hash_token(tok), "created_at": now}
                for i, tok in enumerate(tokens)
            ],
        )
        if solutions:
            connection.execute(
                insert(t["solution"]),
                [
                    {
                        "id": team * SOLUTIONS_PER_TEAM + n + 1,
                        "team_id": team + 1,
                        "perspective": "PX"[n],
                        "title": ["Frugt i to hold", "Børnene dækker bord"][n],
                        "details": "",
                        "status": ["trial", "adopted"][n],
                        "created_at": now - timedelta(days=30),
                        "updated_at": now - timedelta(days=30),
                    }
                    for team in range(teams)
                    for n in range(SOLUTIONS_PER_TEAM)
                ],
            )
            connection.execute(
                insert(t["solution_status_change"]),
                [
                    {
                        "solution_id": team * SOLUTIONS_PER_TEAM + n + 1,
                        "to_status": ["trial", "adopted"][n],
                        "changed_at": now - timedelta(days=30),
                    }
                    for team in range(teams)
                    for n in range(SOLUTIONS_PER_TEAM)
                ],
            )
    engine.dispose()
    return tokens


def marks_json(member_index: int, teams: int) -> str:
    """Marks for both solutions of the member's team (bench members join team i % teams)."""
    team = member_index % teams
    used = ["yes", "partly", "no", "not_relevant"]
    return json.dumps(
        [
            {"solution_id": team * SOLUTIONS_PER_TEAM + n + 1, "used": used[(member_index + n) % 4]}
            for n in range(SOLUTIONS_PER_TEAM)
        ],
        separators=(",", ":"),
    )


def wait_until_up(url: str, process: "subprocess.Popen[bytes]", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server did not answer {url} within {timeout}s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # SIGTERM: graceful, so the app's lifespan shutdown runs
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class WrkRun:
    rps: float
    p99_ms: float
    statuses: dict[str, int]  # "2xx" → count (check-in runs only)
    socket_errors: str
    raw: str
    # The server's CPU time per answered request: unlike rps, hardly moved by other processes
    # competing for the machine, so it shows the cost of a request even on a busy box.
    cpu_us_per_request: float


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its live children (uvicorn workers),
    from /proc; 0 where /proc is missing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0.0
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(cpu_seconds(int(child)) for child in children)


def run_wrk(
    url: str,
    *,
    threads: int,
    connections: int,
    duration: float,
    script: Path | None,
    pids: Sequence[int],
) -> WrkRun:
    """One wrk run against `url`; the CPU per request is that of the server processes `pids`."""
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s"]
    command += ["--latency", "--timeout", "5s"]
    if script is not None:
        command += ["-s", str(script)]
    done = subprocess.run([*command, url], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed: {done.stderr or done.stdout}")
    output = done.stdout
    cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    assert p99 is not None, output
    p99_ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    statuses = re.search(r"STATUSES (\{.*\})", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return WrkRun(
        rps=rps,
        p99_ms=p99_ms,
        statuses=json.loads(statuses.group(1)) if statuses else {},
        socket_errors=errors.group(1) if errors else "none",
        raw=output,
        cpu_us_per_request=cpu / max(requests, 1) * 1e6,
    )


def verify(url: str) -> dict[str, int]:
    """Check-in rows, distinct (member, date) pairs among them, and the sum of their revisions."""
    from sqlalchemy import text

    from backend import db

    engine = db.make_engine(url)
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT COUNT(*), COUNT(DISTINCT member_id || '/' || work_date), "
                "COALESCE(SUM(revision), 0) FROM checkin"
            )
        ).one()
    engine.dispose()
    return {"rows": row[0], "distinct_member_dates": row[1], "revisions": row[2]}
