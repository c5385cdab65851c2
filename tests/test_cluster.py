"""The production topology, run for real on this machine (bench/topology.py, as bench/cluster
runs it, shorter): PostgreSQL, two `pux serve` replicas and `pux worker` behind nginx with the
proxy configuration of docker-compose.yml. One replica is killed with SIGKILL under check-in
load and started again; no acknowledged check-in may be lost and no client may see an error
beyond the requests that were in flight."""

import shutil
from collections.abc import Iterator

import pytest

from bench import topology

pytestmark = pytest.mark.skipif(
    topology.nginx_binary() is None or shutil.which("openssl") is None,
    reason="needs Debian's nginx and openssl (.ci/run installs them)",
)


@pytest.fixture(scope="module")
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[topology.Cluster]:
    if request.config.getoption("--db") != "postgresql":
        pytest.skip("the cluster runs on PostgreSQL (replicas share one database server)")
    workdir = tmp_path_factory.mktemp("cluster")
    with topology.Cluster(workdir, teams=10, members=200, hellos=0) as cluster:
        yield cluster


class TestCluster:
    def test_a_replica_killed_under_load_loses_no_acknowledged_check_in(
        self, cluster: topology.Cluster
    ) -> None:
        report = topology.load_with_kill(cluster, seconds=6, concurrency=12, kill_at=2)
        assert report.acknowledged > 100, report
        assert report.missing == []
        # At most the requests that were in flight when the process died; nginx retries a PUT
        # that failed on a dead replica on the other one, so usually none at all.
        assert len(report.errors) <= report.in_flight_at_kill, report.errors
        assert all(-1 < when < 5 for when, _ in report.errors), "errors only around the kill"
        assert report.served_after_restart > 0, "the restarted replica is back behind the proxy"

    def test_a_login_limit_reached_on_one_replica_holds_on_the_other(
        self, cluster: topology.Cluster
    ) -> None:
        shared, detail = topology.login_limit_is_shared(cluster)
        assert shared, detail

    def test_the_proxy_sends_hsts_and_redirects_plain_http(self, cluster: topology.Cluster) -> None:
        seen = topology.proxy_headers(cluster)
        assert seen["status"] == 200
        assert seen["hsts"] == "max-age=63072000; includeSubDomains"
        status, location = seen["plain_http"]
        assert status == 301 and location.startswith("https://")

    def test_replicas_log_json_lines_in_production(self, cluster: topology.Cluster) -> None:
        for replica in cluster.replicas:
            parsed, lines = topology.json_log_lines(replica)
            assert lines > 0 and parsed >= lines - 8, replica.log.read_text()[-2000:]

    def test_the_reminder_worker_runs_when_this_version_has_one(
        self, cluster: topology.Cluster
    ) -> None:
        if cluster.worker is None:
            pytest.skip(cluster.worker_note)
        assert cluster.worker.running(), cluster.worker.log.read_text()[-2000:]

    def test_the_worker_serves_its_metrics_behind_the_token(
        self, cluster: topology.Cluster
    ) -> None:
        if cluster.worker is None:
            pytest.skip(cluster.worker_note)
        status, text = cluster.worker_metrics()
        assert status == 200 and 'pux_reminders_total{outcome="sent"}' in text

    def test_two_serve_loops_and_a_worker_never_send_a_reminder_twice(
        self, cluster: topology.Cluster
    ) -> None:
        if cluster.worker is None:
            pytest.skip(cluster.worker_note)
        report = topology.no_double_reminder(cluster, members=150)
        assert report.ok, (report.summary(), report.errors)
        assert cluster.worker.running()
