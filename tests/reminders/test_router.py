"""The reminder endpoints: who may call them, what they store, what they refuse."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import Session, select

from backend.orgs.models import Organisation
from backend.reminders.models import CalendarFeed, PushSubscription, ReminderSettings, VapidKey
from tests.factories import make_coordinator, make_member, make_team
from tests.reminders.conftest import subscribe
from tests.reminders.receiver import PushReceiver, b64, unb64

API = "/api/v1"
SetNow = Callable[[str], datetime]


def _subscription(endpoint: str, receiver: PushReceiver | None = None) -> dict[str, Any]:
    if receiver is not None:
        device = receiver.device()
        return {**device.subscription(), "endpoint": endpoint or device.endpoint}
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64(point), "auth": b64(b"0123456789abcdef")},
    }


FCM = "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91bH"


class TestAuthorization:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("PUT", "/me/push-subscriptions"),
            ("DELETE", "/me/push-subscriptions"),
            ("POST", "/me/push-subscriptions/test"),
            ("GET", "/me/reminder"),
            ("PUT", "/me/reminder"),
            ("GET", "/me/calendar-url"),
            ("DELETE", "/me/calendar-url"),
        ],
    )
    def test_member_endpoints_need_a_member_token(
        self, client: TestClient, session: Session, method: str, path: str
    ) -> None:
        coordinator = make_coordinator(session)
        for headers in ({}, {"Authorization": "Bearer nope"}, coordinator.headers):
            response = client.request(method, API + path, headers=headers, json={})
            assert response.status_code == 401, (headers, response.text)
            assert response.json()["error"] == "Unauthorized"

    def test_the_public_key_is_for_anyone_and_the_same_every_time(
        self, client: TestClient, session: Session
    ) -> None:
        first = client.get(f"{API}/push/public-key")
        assert first.status_code == 200
        key = unb64(first.json()["public_key"])
        assert len(key) == 65 and key[0] == 4  # an uncompressed P-256 point
        assert client.get(f"{API}/push/public-key").json() == first.json()
        (stored,) = session.exec(select(VapidKey)).all()
        assert stored.public_key == first.json()["public_key"]

    def test_the_calendar_feed_needs_only_its_secret(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session)
        url = client.get(f"{API}/me/calendar-url", headers=joined.headers).json()["url"]
        assert client.get(url.removeprefix("http://127.0.0.1:8000")).status_code == 200


class TestSubscriptions:
    def test_put_stores_a_device_then_refreshes_it(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session)
        body = _subscription(FCM)
        first = client.put(f"{API}/me/push-subscriptions", headers=joined.headers, json=body)
        assert first.status_code == 201, first.text
        assert first.json() == {"endpoint": FCM, "expirationTime": None}
        body["expirationTime"] = 1_800_000_000_000
        again = client.put(f"{API}/me/push-subscriptions", headers=joined.headers, json=body)
        assert again.status_code == 200
        (stored,) = session.exec(select(PushSubscription)).all()
        assert stored.member_id == joined.member.id
        assert stored.p256dh == body["keys"]["p256dh"]
        assert stored.expires_at is not None and stored.expires_at.year == 2027

    def test_a_device_moves_to_whoever_subscribed_on_it_last(
        self, client: TestClient, session: Session
    ) -> None:
        first, second = make_member(session), make_member(session)
        body = _subscription(FCM)
        client.put(f"{API}/me/push-subscriptions", headers=first.headers, json=body)
        response = client.put(f"{API}/me/push-subscriptions", headers=second.headers, json=body)
        assert response.status_code == 200
        (stored,) = session.exec(select(PushSubscription)).all()
        assert stored.member_id == second.member.id

    def test_delete_removes_only_the_member_s_own_device(
        self, client: TestClient, session: Session
    ) -> None:
        owner, other = make_member(session), make_member(session)
        client.put(f"{API}/me/push-subscriptions", headers=owner.headers, json=_subscription(FCM))
        body = {"endpoint": FCM}
        foreign = client.request("DELETE", f"{API}/me/push-subscriptions",
                                 headers=other.headers, json=body)  # fmt: skip
        assert foreign.status_code == 204
        assert len(session.exec(select(PushSubscription)).all()) == 1
        own = client.request("DELETE", f"{API}/me/push-subscriptions",
                             headers=owner.headers, json=body)  # fmt: skip
        assert own.status_code == 204
        assert session.exec(select(PushSubscription)).all() == []

    @pytest.mark.parametrize(
        ("endpoint", "reason"),
        [
            ("http://fcm.googleapis.com/fcm/send/x", "must be an https URL"),
            ("ftp://fcm.googleapis.com/x", "must be an https URL"),
            ("file:///etc/passwd", "must be an https URL"),
            ("https://10.0.0.8/push", "not a public one"),
            ("https://192.168.1.20/push", "not a public one"),
            ("https://169.254.169.254/latest/meta-data", "not a public one"),
            ("https://127.0.0.1/push", "not a public one"),
            ("https://[::1]/push", "not a public one"),
            ("https://[::ffff:10.0.0.1]/push", "not a public one"),
            ("https://100.64.0.1/push", "not a public one"),
            ("https://localhost/push", "not a public name"),
            ("https://intranet/push", "not a public name"),
            ("https://intranet.example.dk/push", "resolves to 10.20.30.40"),
            ("https://rebind.example.dk/push", "resolves to 127.0.0.1"),
            ("https://metadata.example.dk/push", "resolves to 169.254.169.254"),
            ("https://nowhere.example.dk/push", "could not be found"),
            ("https://user:pw@fcm.googleapis.com/x", "user name or password"),
            ("http://192.168.1.20:8080/push", "must be an https URL"),
        ],
    )
    def test_endpoints_the_server_must_not_post_to_are_refused(
        self, client: TestClient, session: Session, endpoint: str, reason: str
    ) -> None:
        joined = make_member(session)
        response = client.put(
            f"{API}/me/push-subscriptions", headers=joined.headers, json=_subscription(endpoint)
        )
        assert response.status_code == 422, response.text
        assert reason in response.json()["detail"]
        assert response.json()["detail"].startswith("endpoint:")
        assert session.exec(select(PushSubscription)).all() == []

    def test_plain_http_to_loopback_is_refused_in_production(
        self, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from backend.config import settings

        joined = make_member(session)
        body = _subscription("http://127.0.0.1:9/push")
        ok = client.put(f"{API}/me/push-subscriptions", headers=joined.headers, json=body)
        assert ok.status_code == 201
        monkeypatch.setattr(settings, "env", "production")
        body["endpoint"] = "http://127.0.0.1:9/other"
        refused = client.put(f"{API}/me/push-subscriptions", headers=joined.headers, json=body)
        assert refused.status_code == 422

    @pytest.mark.parametrize(
        "keys",
        [
            {"p256dh": "not base64!", "auth": b64(b"0123456789abcdef")},
            {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": b64(b"0123456789abcdef")},
            {"auth": b64(b"0123456789abcdef")},
            {"p256dh": None, "auth": "x"},
        ],
    )
    def test_keys_must_be_a_p256_point_and_a_16_byte_secret(
        self, client: TestClient, session: Session, keys: dict[str, Any]
    ) -> None:
        joined = make_member(session)
        body = {"endpoint": FCM, "keys": keys}
        response = client.put(f"{API}/me/push-subscriptions", headers=joined.headers, json=body)
        assert response.status_code == 422
        assert response.json()["error"] == "ValidationError"

    def test_a_short_auth_secret_is_refused(self, client: TestClient, session: Session) -> None:
        body = _subscription(FCM)
        body["keys"]["auth"] = b64(b"short")
        response = client.put(
            f"{API}/me/push-subscriptions", headers=make_member(session).headers, json=body
        )
        assert response.status_code == 422
        assert "auth must be 16 bytes" in response.json()["detail"]

    def test_a_member_keeps_at_most_ten_devices(self, client: TestClient, session: Session) -> None:
        joined = make_member(session)
        for n in range(12):
            client.put(f"{API}/me/push-subscriptions", headers=joined.headers,
                       json=_subscription(f"{FCM}{n}"))  # fmt: skip
        endpoints = session.exec(select(PushSubscription.endpoint)).all()
        assert sorted(endpoints) == sorted(f"{FCM}{n}" for n in range(2, 12))


class TestTestNotification:
    def test_says_what_happened_on_each_device(
        self, client: TestClient, session: Session, receiver: PushReceiver
    ) -> None:
        joined = make_member(session)
        subscribe(session, joined.member, receiver.device())
        subscribe(session, joined.member, receiver.device(answers=[(410, None)]))
        subscribe(session, joined.member, receiver.device(answers=[(403, None)]))
        response = client.post(f"{API}/me/push-subscriptions/test", headers=joined.headers)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "devices": 3,
            "delivered": 1,
            "removed": 1,
            "failed": 1,
            "problems": [f"{receiver.origin}: HTTP 403"],
        }
        assert receiver.errors() == []
        payload = receiver.delivered()[0].payload
        assert payload is not None
        assert payload["notification"]["title"] == "Påmindelser virker"
        assert payload["notification"]["tag"] == "pux-test"
        assert len(session.exec(select(PushSubscription)).all()) == 2

    def test_without_devices_nothing_is_sent(self, client: TestClient, session: Session) -> None:
        response = client.post(
            f"{API}/me/push-subscriptions/test", headers=make_member(session).headers
        )
        assert response.json() == {
            "devices": 0, "delivered": 0, "removed": 0, "failed": 0, "problems": []
        }  # fmt: skip

    def test_is_rate_limited_per_member(
        self, client: TestClient, session: Session, receiver: PushReceiver
    ) -> None:
        joined, other = make_member(session), make_member(session)
        subscribe(session, joined.member, receiver.device())
        for _ in range(5):
            ok = client.post(f"{API}/me/push-subscriptions/test", headers=joined.headers)
            assert ok.status_code == 200
        limited = client.post(f"{API}/me/push-subscriptions/test", headers=joined.headers)
        assert limited.status_code == 429
        assert limited.json()["error"] == "TooManyRequests"
        assert int(limited.headers["Retry-After"]) > 0
        assert len(receiver.delivered()) == 5
        assert client.post(f"{API}/me/push-subscriptions/test",
                           headers=other.headers).status_code == 200  # fmt: skip


class TestSettings:
    def test_defaults_come_from_the_team(self, client: TestClient, session: Session) -> None:
        team = make_team(session, reminder_time="07:15", working_days="1,2,3,4")
        joined = make_member(session, team)
        response = client.get(f"{API}/me/reminder", headers=joined.headers)
        assert response.status_code == 200
        assert response.json() == {
            "enabled": True,
            "time": "07:15",
            "weekdays": [1, 2, 3, 4],
            "skip_public_holidays": True,
            "paused_until": None,
            "follow_up": False,
            "follows_team_time": True,
            "follows_team_weekdays": True,
            "team": {"time": "07:15", "weekdays": [1, 2, 3, 4]},
            "follow_up_time": "14:30",
            "timezone": "Europe/Copenhagen",
        }

    def test_put_replaces_and_null_follows_the_team_again(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        team = make_team(session)
        joined = make_member(session, team)
        body = {
            "enabled": True,
            "time": "06:50",
            "weekdays": [5, 1, 3, 3],
            "skip_public_holidays": False,
            "paused_until": "2026-12-31",
            "follow_up": True,
        }
        response = client.put(f"{API}/me/reminder", headers=joined.headers, json=body)
        assert response.status_code == 200, response.text
        got = response.json()
        assert (got["time"], got["weekdays"], got["paused_until"]) == ("06:50", [1, 3, 5],
                                                                         "2026-12-31")  # fmt: skip
        assert (got["follows_team_time"], got["follow_up"]) == (False, True)
        stored = session.get(ReminderSettings, joined.member.id)
        assert stored is not None and stored.weekdays == "1,3,5"

        # Back to the team's time (null); when the team's time changes, the member's follows.
        client.put(f"{API}/me/reminder", headers=joined.headers, json={"time": None})
        coordinator = make_coordinator(session, session.get(Organisation, team.org_id))
        patched = client.patch(f"{API}/teams/{team.id}", headers=coordinator.headers,
                               json={"reminder_time": "07:00"})  # fmt: skip
        assert patched.status_code == 200
        response = client.get(f"{API}/me/reminder", headers=joined.headers).json()
        assert (response["time"], response["follows_team_time"]) == ("07:00", True)
        assert response["team"] == {"time": "07:00", "weekdays": [1, 2, 3, 4, 5]}

    @pytest.mark.parametrize(
        ("body", "reason"),
        [
            ({"time": "7:45"}, "HH:MM"),
            ({"time": "24:00"}, "HH:MM"),
            ({"weekdays": [0]}, "greater than or equal to 1"),
            ({"weekdays": [8]}, "less than or equal to 7"),
            ({"weekdays": []}, "at least 1 item"),
            ({"enabled": "yes"}, "valid boolean"),
            ({"paused_until": "2026-11-25"}, "in the past"),
            ({"paused_until": "2028-01-01"}, "at most 366 days"),
            ({"paused_until": "26/12/2026"}, "YYYY-MM-DD"),
            ({"snooze": True}, "Extra inputs"),
        ],
    )
    def test_bad_settings_are_422_and_store_nothing(
        self,
        client: TestClient,
        session: Session,
        set_now: SetNow,
        body: dict[str, Any],
        reason: str,
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        joined = make_member(session)
        response = client.put(f"{API}/me/reminder", headers=joined.headers, json=body)
        assert response.status_code == 422
        assert reason in response.json()["detail"], response.json()
        assert session.get(ReminderSettings, joined.member.id) is None

    def test_a_pause_that_has_ended_reads_as_none(
        self, client: TestClient, session: Session, set_now: SetNow
    ) -> None:
        set_now("2026-11-26T08:00:00+01:00")
        joined = make_member(session)
        client.put(
            f"{API}/me/reminder", headers=joined.headers, json={"paused_until": "2026-11-27"}
        )
        set_now("2026-11-28T08:00:00+01:00")
        assert (
            client.get(f"{API}/me/reminder", headers=joined.headers).json()["paused_until"] is None
        )


class TestCalendarUrl:
    def test_the_url_is_stable_until_revoked_and_the_old_one_then_404s(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session)
        first = client.get(f"{API}/me/calendar-url", headers=joined.headers).json()
        assert first["url"].startswith("http://127.0.0.1:8000/api/v1/calendar/")
        assert first["url"].endswith(".ics")
        assert first["webcal_url"] == "webcal://" + first["url"].removeprefix("http://")
        assert client.get(f"{API}/me/calendar-url", headers=joined.headers).json() == first
        path = first["url"].removeprefix("http://127.0.0.1:8000")
        feed = client.get(path)
        assert feed.status_code == 200
        assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
        Calendar.from_ical(feed.content)
        secret = path.rsplit("/", 1)[1].removesuffix(".ics")
        (stored,) = session.exec(select(CalendarFeed)).all()
        assert secret not in (stored.secret_hash, stored.nonce)  # the secret itself is not kept

        revoked = client.delete(f"{API}/me/calendar-url", headers=joined.headers)
        assert revoked.status_code == 204
        assert client.get(path).status_code == 404
        second = client.get(f"{API}/me/calendar-url", headers=joined.headers).json()
        assert second["url"] != first["url"]
        assert client.get(second["url"].removeprefix("http://127.0.0.1:8000")).status_code == 200

    @pytest.mark.parametrize("secret", ["wrong", "A" * 43, "x" * 100, "..%2F..%2Fetc"])
    def test_a_wrong_secret_is_404(self, client: TestClient, session: Session, secret: str) -> None:
        make_member(session)
        response = client.get(f"{API}/calendar/{secret}.ics")
        assert response.status_code == 404
        assert response.json()["error"] == "NotFound"

    def test_a_new_secret_key_issues_a_new_url(
        self, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from backend.config import settings

        joined = make_member(session)
        first = client.get(f"{API}/me/calendar-url", headers=joined.headers).json()["url"]
        monkeypatch.setattr(settings, "secret_key", "another-long-secret-from-the-environment")
        second = client.get(f"{API}/me/calendar-url", headers=joined.headers).json()["url"]
        assert second != first
        assert client.get(first.removeprefix("http://127.0.0.1:8000")).status_code == 404
        assert client.get(second.removeprefix("http://127.0.0.1:8000")).status_code == 200


class TestExport:
    def test_the_member_s_export_says_what_reminders_they_get_and_where(
        self, client: TestClient, session: Session
    ) -> None:
        joined = make_member(session)
        client.put(f"{API}/me/push-subscriptions", headers=joined.headers, json=_subscription(FCM))
        client.put(f"{API}/me/reminder", headers=joined.headers, json={"time": "06:55"})
        url = client.get(f"{API}/me/calendar-url", headers=joined.headers).json()["url"]
        response = client.get(f"{API}/me/export", headers=joined.headers)
        reminder = response.json()["reminder"]
        assert (reminder["time"], reminder["calendar_feed"]) == ("06:55", True)
        assert [d["push_service"] for d in reminder["push_devices"]] == [
            "https://fcm.googleapis.com"
        ]
        secret = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert secret not in response.text and FCM not in response.text


class TestErasure:
    def test_erasing_the_member_removes_their_devices_settings_and_feed(
        self, client: TestClient, session: Session, receiver: PushReceiver
    ) -> None:
        joined = make_member(session)
        subscribe(session, joined.member, receiver.device())
        client.put(f"{API}/me/reminder", headers=joined.headers, json={"follow_up": True})
        client.get(f"{API}/me/calendar-url", headers=joined.headers)
        assert client.delete(f"{API}/me", headers=joined.headers).status_code == 204
        session.expire_all()
        for table in (PushSubscription, ReminderSettings, CalendarFeed):
            assert session.exec(select(table)).all() == [], table
