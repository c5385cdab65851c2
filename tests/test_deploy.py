"""The production files: docker-compose.yml (validated by docker-compose itself, without an
engine), the nginx configuration it and bench/cluster share, and the Prometheus examples."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

DOCKER_COMPOSE = shutil.which("docker-compose")
SECRETS = {
    "PUX_DOMAIN": "puls.example.dk",
    "POSTGRES_PASSWORD": "a-database-password-for-the-test",
    "PUX_SECRET_KEY": "a-secret-for-the-test",
}
APP_SERVICES = ("migrate", "app1", "app2", "worker")


def _compose(root_dir: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("PUX_")}
    env.update(variables)
    return subprocess.run(
        [str(DOCKER_COMPOSE), "--project-directory", str(root_dir), "config", *args],
        cwd=root_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def compose(root_dir: Path) -> dict[str, Any]:
    """The file as docker-compose resolves it (anchors merged, variables filled in)."""
    if DOCKER_COMPOSE is None:
        pytest.skip("docker-compose is not installed")
    result = _compose(root_dir, **SECRETS)
    assert result.returncode == 0, result.stderr
    return dict(yaml.safe_load(result.stdout))


@pytest.mark.skipif(DOCKER_COMPOSE is None, reason="docker-compose is not installed")
class TestComposeRefusesDefaults:
    def test_valid_with_every_secret_set(self, root_dir: Path) -> None:
        result = _compose(root_dir, "-q", **SECRETS)
        assert result.returncode == 0, result.stderr

    @pytest.mark.parametrize("missing", sorted(SECRETS))
    def test_refuses_to_start_without(self, root_dir: Path, missing: str) -> None:
        given = {k: v for k, v in SECRETS.items() if k != missing}
        result = _compose(root_dir, "-q", **given)
        assert result.returncode != 0
        assert missing in result.stderr


class TestTopology:
    def test_two_replicas_a_worker_and_a_one_shot_migration(self, compose: dict[str, Any]) -> None:
        services = compose["services"]
        for replica in ("app1", "app2"):
            assert services[replica]["command"][:2] == ["pux", "serve"]
            assert services[replica]["depends_on"]["migrate"] == {
                "condition": "service_completed_successfully"
            }
            assert "/readyz" in " ".join(services[replica]["healthcheck"]["test"])
        assert services["worker"]["command"] == ["pux", "worker"]
        assert services["migrate"]["command"] == ["pux", "migrate"]

    def test_only_the_worker_dispatches_reminders(self, compose: dict[str, Any]) -> None:
        services = compose["services"]
        for replica in ("app1", "app2"):
            assert services[replica]["environment"]["PUX_REMINDER_LOOP"] == "0"
        worker = services["worker"]["environment"]
        assert worker.get("PUX_REMINDER_LOOP", "1") not in ("0", "false")
        assert worker["PUX_WORKER_METRICS_PORT"] == "9101"  # scraped by deploy/prometheus
        assert services["migrate"]["restart"] == "no"

    def test_every_app_process_runs_in_production_without_a_default_secret(
        self, compose: dict[str, Any]
    ) -> None:
        for name in APP_SERVICES:
            environment = compose["services"][name]["environment"]
            assert environment["PUX_ENV"] == "production"
            assert environment["PUX_SECRET_KEY"] == SECRETS["PUX_SECRET_KEY"]
            assert environment["PUX_DEMO"] == "0"
            assert SECRETS["POSTGRES_PASSWORD"] in environment["PUX_DATABASE_URL"]
            assert environment["PUX_BASE_URL"] == f"https://{SECRETS['PUX_DOMAIN']}"

    def test_only_the_proxy_is_published(self, compose: dict[str, Any]) -> None:
        published = {
            name
            for name, service in compose["services"].items()
            if service.get("ports") and "profiles" not in service
        }
        assert published == {"proxy"}
        ports = {str(p["target"]) for p in compose["services"]["proxy"]["ports"]}
        assert ports == {"80", "443"}

    def test_forwarded_headers_are_trusted_from_the_proxy_only(
        self, compose: dict[str, Any]
    ) -> None:
        proxy_address = compose["services"]["proxy"]["networks"]["pux"]["ipv4_address"]
        for name in ("app1", "app2"):
            environment = compose["services"][name]["environment"]
            assert environment["PUX_TRUSTED_PROXIES"] == proxy_address

    def test_the_database_keeps_its_data_in_a_volume_and_is_health_checked(
        self, compose: dict[str, Any]
    ) -> None:
        db = compose["services"]["db"]
        # docker-compose 1.x writes volumes as "source:target:mode", 2.x as mappings.
        targets = [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in db["volumes"]]
        assert "/var/lib/postgresql/data" in targets
        assert "pg_isready" in " ".join(db["healthcheck"]["test"])
        assert "ports" not in db


@pytest.fixture(scope="module")
def config(root_dir: Path) -> str:
    return (root_dir / "deploy" / "nginx" / "pux.conf.template").read_text()


class TestProxyConfiguration:
    def test_tls_with_hsts_and_plain_http_only_redirects(self, config: str) -> None:
        assert "listen 443 ssl" in config
        assert 'Strict-Transport-Security "max-age=63072000; includeSubDomains" always' in config
        assert "return 301 https://$host$request_uri;" in config

    def test_client_supplied_forwarded_headers_are_replaced(self, config: str) -> None:
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
        assert "$proxy_add_x_forwarded_for" not in config  # would keep what the client sent

    def test_metrics_are_not_served_through_the_proxy(self, config: str) -> None:
        assert "location = /metrics {\n        return 404;" in config

    def test_the_only_variable_for_envsubst_is_the_domain(self, config: str) -> None:
        # The nginx image substitutes ${VAR} of its environment; nginx's own $host etc. stay.
        assert set(re.findall(r"\$\{(\w+)\}", config)) == {"PUX_DOMAIN"}


class TestPrometheusExamples:
    def test_scrapes_both_replicas_with_the_token(self, root_dir: Path) -> None:
        config = yaml.safe_load((root_dir / "deploy/prometheus/prometheus.yml").read_text())
        job = config["scrape_configs"][0]
        assert job["static_configs"][0]["targets"] == ["app1:8000", "app2:8000"]
        assert job["authorization"]["credentials_file"].endswith("metrics_token")

    def test_alerts_use_metrics_the_app_exports(self, root_dir: Path) -> None:
        from prometheus_client import REGISTRY

        import backend.metrics  # noqa: F401  (registers the metrics)

        alerts = yaml.safe_load((root_dir / "deploy/prometheus/alerts.yml").read_text())
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}
        names = {
            family.name + suffix
            for family in REGISTRY.collect()
            for suffix in suffixes.get(family.type, [""])
        }
        for rule in alerts["groups"][0]["rules"]:
            used = set(re.findall(r"\bpux_\w+", rule["expr"]))
            assert used <= names, f"{rule['alert']} uses {used - names}"
