"""The production topology on this machine, from Debian's packages and the project's own
commands: the machine's PostgreSQL (a database of its own), `pux serve` replicas, `pux worker`,
and nginx in front on loopback running deploy/nginx/pux.conf.template — the proxy configuration
of docker-compose.yml, with loopback addresses, ports and a self-signed certificate put in —
plus bench/hello_app.py behind the same nginx as the yardstick.

Used by bench/cluster (figures) and tests/test_cluster.py (a shorter run in CI). Everything
runs in a temporary directory and stops (and the database is dropped) when the cluster closes."""

import asyncio
import contextlib
import json
import os
import pwd
import random
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench import harness

ROOT = harness.ROOT
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if VENV_BIN.exists() else sys.executable
PUX = str(VENV_BIN / "pux") if (VENV_BIN / "pux").exists() else (shutil.which("pux") or "pux")
TEMPLATE = ROOT / "deploy" / "nginx" / "pux.conf.template"
CHECKIN_ROUTE = "/api/v1/me/checkins/{work_date}"
COORDINATOR_EMAIL = "it@bench.example"
COORDINATOR_PASSWORD = "bench-coordinator-password"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )


def pux_commands() -> set[str]:
    """The subcommands this version of `pux` has (from its --help)."""
    done = subprocess.run([PUX, "--help"], capture_output=True, text=True, cwd=ROOT)
    found = re.search(r"\{([a-z,-]+)\}", done.stdout)
    return set(found.group(1).split(",")) if found else set()


@dataclass
class Process:
    """One long-running process of the cluster, its output in a log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: "subprocess.Popen[bytes] | None" = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                self.command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lifespan, whatever was queued in the process is lost."""
        assert self.popen is not None
        os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.running():
            assert self.popen is not None
            harness.stop(self.popen)


class Cluster:
    def __init__(
        self,
        workdir: Path,
        *,
        replicas: int = 2,
        hellos: int = 2,
        teams: int = 20,
        members: int = 400,
        worker: bool = True,
    ) -> None:
        self.workdir = workdir
        self.teams, self.members = teams, members
        self.https_port, self.http_port = harness.free_port(), harness.free_port()
        self.hello_port, self.hello_http_port = harness.free_port(), harness.free_port()
        self.metrics_token = secrets.token_hex(16)
        self.url = ""
        self.pg_name: str | None = None
        self.tokens: list[str] = []
        self.replicas: list[Process] = []
        self.hellos: list[Process] = []
        self.worker: Process | None = None
        self.worker_note = ""
        self.worker_metrics_port = 0
        self.nginx: Process | None = None
        self._replica_count, self._hello_count, self._want_worker = replicas, hellos, worker
        self.ssl_context: ssl.SSLContext | None = None

    # -- start and stop -------------------------------------------------------------------

    def __enter__(self) -> "Cluster":
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def start(self) -> None:
        nginx = nginx_binary()
        if nginx is None:
            raise SystemExit("nginx is not installed (Debian: apt-get install nginx)")
        self.url, self.pg_name = harness.create_database("postgresql", self.workdir)
        self.tokens = harness.seed(
            self.url, teams=self.teams, members=self.members, solutions=False
        )
        self._create_coordinator()
        env = self.app_env()
        # As in docker-compose.yml: the replicas serve, only the worker dispatches reminders.
        replica_env = {**env, "PUX_REMINDER_LOOP": "0"}
        for n in range(self._replica_count):
            port = harness.free_port()
            command = [PUX, "serve", "--host", "127.0.0.1", "--port", str(port)]
            self.replicas.append(
                Process(
                    f"replica-{n + 1}", command, replica_env, self._log(f"replica-{n + 1}"), port
                )
            )
        log_config = self.workdir / "hello-logging.json"
        from backend import logformat

        log_config.write_text(json.dumps(logformat.config(json_lines=True)))
        for n in range(self._hello_count):
            port = harness.free_port()
            # Served like `pux serve` serves the app: uvicorn's defaults, the same log lines.
            command = [PYTHON, "-m", "uvicorn", "hello_app:app", "--app-dir", str(ROOT / "bench")]
            command += ["--host", "127.0.0.1", "--port", str(port), "--log-config", str(log_config)]
            self.hellos.append(
                Process(f"hello-{n + 1}", command, env, self._log(f"hello-{n + 1}"), port)
            )
        if self._want_worker:
            if "worker" in pux_commands():
                self.worker_metrics_port = harness.free_port()
                command = [PUX, "worker", "--metrics-port", str(self.worker_metrics_port)]
                self.worker = Process("worker", command, env, self._log("worker"))
            else:
                self.worker_note = (
                    "`pux worker` is not a command of this version: no worker started"
                )
        for process in [*self.replicas, *self.hellos]:
            process.start()
        if self.worker is not None:
            self.worker.start()
        for replica in self.replicas:
            self.wait_ready(replica)
        for hello in self.hellos:
            assert hello.popen is not None
            harness.wait_until_up(f"http://127.0.0.1:{hello.port}/", hello.popen)
        self._write_certificate()
        self.route(replicas=len(self.replicas), hellos=len(self.hellos), reload=False)
        self._write_nginx_config()
        self.nginx = Process(
            "nginx",
            [
                nginx,
                "-p",
                str(self.workdir),
                "-c",
                str(self.workdir / "nginx.conf"),
                "-g",
                "daemon off;",
            ],
            dict(os.environ),
            self._log("nginx"),
        )
        self.nginx.start()
        self._wait_for_proxy()

    def close(self) -> None:
        for process in [self.nginx, self.worker, *self.replicas, *self.hellos]:
            if process is not None:
                process.stop()
        if self.pg_name is not None:
            harness.drop_database(self.pg_name)
            self.pg_name = None

    def app_env(self) -> dict[str, str]:
        """What every app process gets: production settings from the environment, as in
        docker-compose.yml (its own database, a random secret, the proxy trusted)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PUX_", "PROMETHEUS_"))}
        env.update(
            PUX_ENV="production",
            PUX_DATABASE_URL=self.url,
            PUX_SECRET_KEY=secrets.token_hex(32),
            PUX_BASE_URL=f"https://127.0.0.1:{self.https_port}",
            PUX_DEMO="0",
            PUX_METRICS_TOKEN=self.metrics_token,
            PUX_TRUSTED_PROXIES="127.0.0.1",
        )
        return env

    def _log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def _create_coordinator(self) -> None:
        env = {**self.app_env(), "PUX_PASSWORD": COORDINATOR_PASSWORD}
        done = subprocess.run(
            [PUX, "create-coordinator", "--email", COORDINATOR_EMAIL, "--org", "Bench kommune"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(f"pux create-coordinator failed: {done.stderr}")

    def _write_certificate(self) -> None:
        certs = self.workdir / "certs"
        certs.mkdir()
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(certs / "privkey.pem"), "-out", str(certs / "fullchain.pem")],
            check=True,
            capture_output=True,
        )  # fmt: skip
        self.ssl_context = ssl.create_default_context(cafile=str(certs / "fullchain.pem"))

    def _render(self, *, https_port: int, http_port: int, upstream: str, name: str) -> str:
        """deploy/nginx/pux.conf.template with this machine's addresses put in; each
        replacement must hit, so a change of the template cannot slip past the benchmark."""
        text = TEMPLATE.read_text()
        replacements = [
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;", 1),
            ("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
            ("${PUX_DOMAIN}", "127.0.0.1", 2),
            ("/etc/nginx/pux/upstreams.conf", str(self.workdir / f"upstreams-{name}.conf"), 1),
            ("/etc/nginx/certs/", f"{self.workdir / 'certs'}/", 2),
            ("/var/www/acme", str(self.workdir / "acme"), 1),
            ("pux_app", upstream, 2),
        ]
        for old, new, count in replacements:
            found = text.count(old)
            if found != count:
                raise SystemExit(f"{TEMPLATE}: expected {count}× {old!r}, found {found}")
            text = text.replace(old, new)
        return text

    def _write_nginx_config(self) -> None:
        (self.workdir / "conf.d").mkdir()
        (self.workdir / "acme").mkdir()
        (self.workdir / "conf.d" / "app.conf").write_text(
            self._render(
                https_port=self.https_port, http_port=self.http_port, upstream="pux_app", name="app"
            )
        )
        if self.hellos:
            hello = self._render(
                https_port=self.hello_port,
                http_port=self.hello_http_port,
                upstream="pux_hello",
                name="hello",
            )
            (self.workdir / "conf.d" / "hello.conf").write_text(hello)
        temp = self.workdir / "nginx-temp"
        temp.mkdir()
        user = ""
        if os.geteuid() == 0:  # nginx's workers drop root; they must still reach their files
            name = next((u for u in ("www-data", "nobody") if _has_user(u)), None)
            if name is not None:
                entry = pwd.getpwnam(name)
                user = f"user {name} {_group_name(entry.pw_gid)};"
                os.chown(temp, entry.pw_uid, entry.pw_gid)
            self.workdir.chmod(0o755)
        temps = "\n".join(
            f"  {kind}_temp_path {temp / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (self.workdir / "nginx.conf").write_text(
            f"""{user}
worker_processes 1;
pid {self.workdir / "nginx.pid"};
error_log {self._log("nginx-error")} warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
{temps}
  include {self.workdir / "conf.d"}/*.conf;
}}
"""
        )

    def _wait_for_proxy(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.nginx is not None
            if not self.nginx.running():
                raise SystemExit(f"nginx exited: {self._log('nginx').read_text()}")
            try:
                self.get(f"https://127.0.0.1:{self.https_port}/healthz")
                if self.hellos:
                    self.get(f"https://127.0.0.1:{self.hello_port}/")
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("nginx did not answer")

    # -- operating it -----------------------------------------------------------------------

    def route(self, *, replicas: int, hellos: int, reload: bool = True) -> None:
        """Puts the first `replicas` app processes (and `hellos` hello processes) behind the
        proxy, as upstreams.conf lists them in docker-compose.yml, and reloads nginx."""
        for name, processes in (("app", self.replicas[:replicas]), ("hello", self.hellos[:hellos])):
            lines = [f"server 127.0.0.1:{p.port} max_fails=1 fail_timeout=5s;" for p in processes]
            (self.workdir / f"upstreams-{name}.conf").write_text("\n".join(lines) + "\n")
        if reload:
            assert self.nginx is not None
            os.kill(self.nginx.pid, signal.SIGHUP)
            time.sleep(1.5)  # new workers take over; the old ones finish their requests

    def wait_ready(self, replica: Process, timeout: float = 60) -> float:
        """Waits until the replica answers /readyz; returns when (monotonic time)."""
        assert replica.popen is not None
        harness.wait_until_up(f"http://127.0.0.1:{replica.port}/readyz", replica.popen, timeout)
        return time.monotonic()

    def get(
        self, url: str, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(url, headers=headers or {})
        context = self.ssl_context if url.startswith("https") else None
        try:
            with urllib.request.urlopen(request, timeout=5, context=context) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def served_checkins(self, replica: Process) -> float:
        """Check-in PUTs this replica process answered 2xx since it started (its /metrics)."""
        status, _, body = self.get(
            f"http://127.0.0.1:{replica.port}/metrics",
            {"Authorization": f"Bearer {self.metrics_token}"},
        )
        if status != 200:
            return 0.0
        pattern = r'pux_http_requests_total\{method="PUT",route="%s",status="20[01]"\} (\S+)'
        found = re.findall(pattern % re.escape(CHECKIN_ROUTE), body.decode())
        return sum(float(n) for n in found)

    def worker_metrics(self) -> tuple[int, str]:
        """The reminder worker's GET /metrics (status, text), with the token."""
        status, _, body = self.get(
            f"http://127.0.0.1:{self.worker_metrics_port}/metrics",
            {"Authorization": f"Bearer {self.metrics_token}"},
        )
        return status, body.decode()

    def window_dates(self) -> list[str]:
        """The newest three dates of the check-in window: still in it after a midnight."""
        sys.path.insert(0, str(ROOT))
        return harness.window_dates(newest=3)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


# -- checks ---------------------------------------------------------------------------------


@dataclass
class KeyState:
    """What the client knows about one (member, date): the comment of the last PUT that was
    acknowledged, and those sent after it without an answer (they may or may not have landed)."""

    acked: str | None = None
    unanswered: list[str] = field(default_factory=list)


@dataclass
class KillReport:
    seconds: float
    sent: int
    acknowledged: int
    errors: list[tuple[float, str]]  # (seconds after the kill, what went wrong)
    in_flight_at_kill: int
    latencies_ms: list[float]
    missing: list[str]  # acknowledged check-ins the database does not hold
    killed: str
    restarted_ready_after_s: float
    served_after_restart: float

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[int(len(ordered) * 0.99)] if ordered else 0.0

    @property
    def rps(self) -> float:
        return self.acknowledged / self.seconds


async def _load_with_kill(
    cluster: Cluster,
    *,
    seconds: float,
    concurrency: int,
    kill_at: float,
    down_for: float,
    after_restart: float,
) -> tuple[dict[tuple[int, str], KeyState], KillReport]:
    import httpx

    dates = cluster.window_dates()
    states: dict[tuple[int, str], KeyState] = {}
    errors: list[tuple[float, str]] = []
    latencies: list[float] = []
    in_flight = 0
    counts = {"sent": 0, "acked": 0}
    started = time.monotonic()
    stop_at = started + seconds  # moved on by the killer: the load outlasts the restart
    restarted = False
    killed_at: float | None = None
    victim = cluster.replicas[0]
    base = f"https://127.0.0.1:{cluster.https_port}"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def client_task(number: int, client: httpx.AsyncClient) -> None:
        nonlocal in_flight
        rng = random.Random(number)
        keys = [(m, d) for m in range(number, len(cluster.tokens), concurrency) for d in dates]
        sequence = 0
        while not restarted or time.monotonic() < stop_at:
            member, day = keys[sequence % len(keys)]
            sequence += 1
            state = states.setdefault((member, day), KeyState())
            comment = f"c{number}-{sequence}"
            state.unanswered.append(comment)
            calm, flow, workload = (rng.randint(1, 5) for _ in range(3))
            body = {"calm": calm, "flow": flow, "workload": workload, "comment": comment,
                    "share_comment": False, "solutions": []}  # fmt: skip
            headers = {"Authorization": f"Bearer {cluster.tokens[member]}"}
            sent_at = time.monotonic()
            in_flight += 1
            counts["sent"] += 1
            try:
                response = await client.put(
                    f"/api/v1/me/checkins/{day}", json=body, headers=headers
                )
                outcome = (
                    None if response.status_code in (200, 201) else f"HTTP {response.status_code}"
                )
            except httpx.HTTPError as exc:
                outcome = type(exc).__name__
            finally:
                in_flight -= 1
            if outcome is None:
                state.acked, state.unanswered = comment, []
                counts["acked"] += 1
                latencies.append((time.monotonic() - sent_at) * 1000)
            else:
                when = time.monotonic() - (killed_at if killed_at is not None else started)
                errors.append((when, outcome))

    async def killer() -> tuple[int, float]:
        nonlocal killed_at, stop_at, restarted
        await asyncio.sleep(kill_at)
        flying = in_flight
        victim.kill()
        killed_at = time.monotonic()
        await asyncio.sleep(down_for)
        victim.start()
        ready = await asyncio.to_thread(cluster.wait_ready, victim)
        # nginx leaves a failed server out for fail_timeout (5 s), then sends it requests again.
        stop_at = max(stop_at, ready + after_restart)
        restarted = True
        return flying, ready - killed_at

    async with httpx.AsyncClient(
        base_url=base, verify=cluster.ssl_context or False, limits=limits, timeout=10.0
    ) as client:
        tasks = [asyncio.create_task(client_task(n, client)) for n in range(concurrency)]
        flying, ready_after = await killer()
        await asyncio.gather(*tasks)
    report = KillReport(
        seconds=time.monotonic() - started,
        sent=counts["sent"],
        acknowledged=counts["acked"],
        errors=errors,
        in_flight_at_kill=flying,
        latencies_ms=latencies,
        missing=[],
        killed=victim.name,
        restarted_ready_after_s=ready_after,
        served_after_restart=cluster.served_checkins(victim),
    )
    return states, report


def load_with_kill(
    cluster: Cluster,
    *,
    seconds: float,
    concurrency: int,
    kill_at: float,
    down_for: float = 0.5,
    after_restart: float = 8.0,
) -> KillReport:
    """Check-in PUTs through the proxy from `concurrency` clients for `seconds` (and at least
    `after_restart` seconds after the killed replica is ready again); the first replica is
    killed with SIGKILL at `kill_at` and started again `down_for` later. Then every
    acknowledged check-in is looked up in the database: it must be there, or replaced by a
    later PUT of the same client that got no answer."""
    run = _load_with_kill(
        cluster,
        seconds=seconds,
        concurrency=concurrency,
        kill_at=kill_at,
        down_for=down_for,
        after_restart=after_restart,
    )
    states, report = asyncio.run(run)
    stored = _stored_comments(cluster)
    for (member, day), state in states.items():
        if state.acked is None:
            continue
        allowed = {state.acked, *state.unanswered}
        found = stored.get((member + 1, day))
        if found not in allowed:
            report.missing.append(
                f"member {member + 1} {day}: acknowledged {state.acked!r}, stored {found!r}"
            )
    return report


def _stored_comments(cluster: Cluster) -> dict[tuple[int, str], str | None]:
    import psycopg

    with psycopg.connect(cluster.url) as conn:
        rows = conn.execute("SELECT member_id, work_date, comment FROM checkin").fetchall()
    return {(member, day.isoformat()): comment for member, day, comment in rows}


def login_limit_is_shared(cluster: Cluster) -> tuple[bool, str]:
    """Fails a coordinator's login through one replica until it is refused, then tries the right
    password through the other: a limit kept per process would let it in."""
    import httpx

    first, second = cluster.replicas[0], cluster.replicas[1]
    form = {"username": COORDINATOR_EMAIL, "password": "wrong-password"}
    statuses = []
    with httpx.Client(timeout=10) as client:
        for _ in range(20):
            status = client.post(
                f"http://127.0.0.1:{first.port}/api/v1/auth/token", data=form
            ).status_code
            statuses.append(status)
            if status == 429:
                break
        if 429 not in statuses:
            return False, f"{first.name} never refused the failed logins: {statuses}"
        right = {"username": COORDINATOR_EMAIL, "password": COORDINATOR_PASSWORD}
        other = client.post(f"http://127.0.0.1:{second.port}/api/v1/auth/token", data=right)
    if other.status_code == 429:
        return True, f"{len(statuses)} failed logins on {first.name}; {second.name} answered 429"
    return (
        False,
        f"{second.name} answered {other.status_code} after the limit was reached on {first.name}",
    )


@dataclass
class ReminderReport:
    members: int
    received: int  # pushes the push service got
    devices: int  # devices that got at least one
    doubles: int  # pushes beyond the first per device
    errors: list[str]  # what the push service found wrong (VAPID, decryption, payload)
    claimed_by: dict[str, int]  # reminders claimed per dispatcher process (from its log)
    seconds: float  # from the moment they became due to the last push received

    @property
    def ok(self) -> bool:
        return (
            self.received == self.devices == self.members and not self.doubles and not self.errors
        )

    def summary(self) -> str:
        shares = ", ".join(f"{name} {n}" for name, n in self.claimed_by.items())
        return (
            f"{self.members} members due: {self.received} pushes to {self.devices} devices "
            f"in {self.seconds:.1f} s, {self.doubles} doubles, {len(self.errors)} errors; "
            f"claimed by {shares or 'no process that logged it'}"
        )


def _claimed_in_log(log: Path) -> int:
    """Reminders a dispatcher process says it claimed ("… N claimed, …" per pass)."""
    return sum(int(n) for n in re.findall(r"(\d+) claimed", log.read_text(errors="replace")))


def no_double_reminder(
    cluster: Cluster, *, members: int | None = None, interval: int = 5, timeout: float = 120
) -> ReminderReport:
    """Two `pux serve` with their reminder loop on and one `pux worker`, all dispatching against
    the cluster's database at once, and members who all become due at the same moment: each
    device must get exactly one push, checked in full by a local push service (VAPID JWT,
    aes128gcm decrypted with the device's key, the payload).

    The three run with PUX_ENV=development — the one difference from production: production
    sends only to https endpoints on public addresses, and the push service here is on loopback
    — and with passes every `interval` seconds on the wall clock's boundaries, so the three
    start their passes together and race for the same claims. The cluster's production worker
    is stopped meanwhile (it would refuse the loopback endpoints) and started again after."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    from tests.reminders.receiver import push_receiver

    count = min(members or cluster.members, cluster.members)
    local = datetime.now(UTC).astimezone(ZoneInfo(harness.TIMEZONE))
    if cluster.worker is not None:
        cluster.worker.stop()
    processes: list[Process] = []
    try:
        with push_receiver() as receiver:
            devices = [receiver.device() for _ in range(count)]
            now = datetime.now(UTC)
            with psycopg.connect(cluster.url) as conn, conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO push_subscription (member_id, endpoint, p256dh, auth, "
                    "created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s)",
                    [(n + 1, d.endpoint, d.subscription()["keys"]["p256dh"],
                      d.subscription()["keys"]["auth"], now, now)
                     for n, d in enumerate(devices)],
                )  # fmt: skip
                # Not due yet: every day, at this minute, but turned off until the race.
                cursor.executemany(
                    "INSERT INTO reminder_settings (member_id, enabled, time, weekdays, "
                    "skip_public_holidays, follow_up, updated_at) "
                    "VALUES (%s, false, %s, '1,2,3,4,5,6,7', false, false, %s) "
                    "ON CONFLICT (member_id) DO UPDATE SET enabled = false, "
                    "time = excluded.time, weekdays = excluded.weekdays, "
                    "skip_public_holidays = false",
                    [(n + 1, local.strftime("%H:%M"), now) for n in range(count)],
                )
            env = {
                **cluster.app_env(),
                "PUX_ENV": "development",
                "PUX_REMINDER_LOOP": "1",
                "PUX_REMINDER_INTERVAL_SECONDS": str(interval),
            }
            for n in range(2):
                port = harness.free_port()
                command = [PUX, "serve", "--host", "127.0.0.1", "--port", str(port)]
                name = f"dispatcher-serve-{n + 1}"
                processes.append(Process(name, command, env, cluster._log(name), port))
            processes.append(
                Process(
                    "dispatcher-worker", [PUX, "worker"], env, cluster._log("dispatcher-worker")
                )
            )
            for process in processes:
                process.start()
            for process in processes[:2]:
                cluster.wait_ready(process)
            time.sleep(3)  # the worker is up too (it has no readiness port)
            # Due from just before the next boundary, when all three start a pass.
            time.sleep(max(0.0, interval - time.time() % interval - 0.5))
            with psycopg.connect(cluster.url) as conn:
                conn.execute("UPDATE reminder_settings SET enabled = true")
            due_at = time.monotonic()
            deadline = due_at + timeout
            while len({r.device for r in receiver.received}) < count:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            last = max((r.at for r in receiver.received), default=due_at)
            time.sleep(2 * interval)  # two more passes in every process: nothing more may come
            per_device = [len(receiver.pushes_for(d)) for d in devices]
            return ReminderReport(
                members=count,
                received=sum(per_device),
                devices=sum(1 for n in per_device if n),
                doubles=sum(n - 1 for n in per_device if n > 1),
                errors=receiver.errors()[:5],
                claimed_by={p.name: _claimed_in_log(p.log) for p in processes},
                seconds=last - due_at,
            )
    finally:
        for process in processes:
            process.stop()
        if cluster.worker is not None:
            cluster.worker.start()


def proxy_headers(cluster: Cluster) -> dict[str, Any]:
    """What the proxy adds: HSTS on HTTPS, and plain HTTP only redirects to HTTPS."""
    import http.client

    status, headers, _ = cluster.get(f"https://127.0.0.1:{cluster.https_port}/healthz")
    plain = http.client.HTTPConnection("127.0.0.1", cluster.http_port, timeout=5)
    plain.request("GET", "/api/v1/orgs")
    redirect = plain.getresponse()
    plain.close()
    return {
        "status": status,
        "hsts": headers.get("Strict-Transport-Security"),
        "plain_http": (redirect.status, redirect.getheader("Location")),
    }


def json_log_lines(process: Process) -> tuple[int, int]:
    """(lines that are JSON objects, all lines) of a process's log."""
    lines = [line for line in process.log.read_text().splitlines() if line.strip()]
    parsed = 0
    for line in lines:
        with contextlib.suppress(ValueError):
            parsed += isinstance(json.loads(line), dict)
    return parsed, len(lines)


def now_label() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
