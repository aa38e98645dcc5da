"""Signed webhooks, received by a real local HTTP server: the signature checked here with
hmac and hashlib on the raw body, visibility by organisation, retries with backoff and
switching off a webhook that keeps failing."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from drugscene.audit.models import AuditEntry
from drugscene.notifications import delivery, jobs
from drugscene.notifications.models import DeliveryStatus, EventKind, Webhook, WebhookDelivery
from tests import factories
from tests.notifications.helpers import WEDNESDAY, run

pytestmark = pytest.mark.django_db
SECRET = "s3cret-for-tests"


class Receiver:
    """A local HTTP server that records every POST (headers and raw body) and answers
    with the status codes it is told to, in turn (the last one repeats)."""

    def __init__(self, statuses=(204,)) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict, bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if len(outer.statuses) > 1 else outer.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def bodies(self) -> list[dict]:
        return [json.loads(b) for _h, b in self.received]


def hook(world, org: str, url: str, kinds=(EventKind.NEW_REPORT,)) -> Webhook:
    return Webhook.objects.create(organisation=world.orgs[org], url=url, secret=SECRET,
                                  kinds=list(kinds))


def test_signed_post_verified_independently_and_visibility_by_organisation(world) -> None:
    with Receiver() as police_rx, Receiver() as housing_rx:
        hook(world, "police", police_rx.url)
        hook(world, "housing", housing_rx.url)
        run()  # sets the report cursor
        shared = factories.report(world, by="municipality_reporter",
                                  text="Två personer vid bänken", lon=16.8951234)
        secret = factories.report(world, by="police_reporter", visibility="restricted",
                                  restricted_to=[world.orgs["police"].pk])
        result = run()
        assert result.hooks.sent == 3
        assert sorted(b["object"]["id"] for b in police_rx.bodies()) == [shared.pk, secret.pk]
        assert [b["object"]["id"] for b in housing_rx.bodies()] == [shared.pk]
        for headers, raw in police_rx.received + housing_rx.received:
            stamp = headers["X-Drugscene-Timestamp"]
            expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + raw,
                                hashlib.sha256).hexdigest()
            assert headers["X-Drugscene-Signature"] == f"sha256={expected}"
            assert int(stamp) == int(WEDNESDAY.timestamp())
            assert headers["Content-Type"] == "application/json"
            assert "bänken" not in raw.decode() and "16.895" not in raw.decode()
        body = housing_rx.bodies()[0]
        assert body["event"] == "new_report" and body["city"] == "testby"
        assert body["link"] == f"https://drugscene.example/reports/{shared.pk}/?city=testby"
        assert body["data"]["district"] == "Väster"
        assert housing_rx.received[0][0]["X-Drugscene-Delivery"] == body["id"]
        run()  # nothing is posted twice
        assert len(police_rx.received) == 2 and len(housing_rx.received) == 1


def test_a_tampered_body_does_not_verify() -> None:
    raw = b'{"event":"new_report"}'
    sig = delivery.sign(SECRET, "1700000000", raw)
    assert delivery.verify(SECRET, "1700000000", raw, sig, now=1700000100)
    assert not delivery.verify(SECRET, "1700000000", raw + b" ", sig, now=1700000100)
    assert not delivery.verify("other", "1700000000", raw, sig, now=1700000100)
    # replay: an old timestamp is refused even with a right signature
    assert not delivery.verify(SECRET, "1700000000", raw, sig, now=1700000000 + 301)


def test_retries_back_off_exponentially_then_succeed(world, settings) -> None:
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 60
    with Receiver(statuses=(500, 503, 200)) as rx:
        w = hook(world, "police", rx.url)
        run()
        factories.report(world, by="police_reporter")
        run(WEDNESDAY)
        d = WebhookDelivery.objects.get(webhook=w)
        assert (d.status, d.attempts, d.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
        assert d.next_attempt_at == WEDNESDAY + timedelta(seconds=60)
        run(WEDNESDAY + timedelta(seconds=59))          # not yet
        assert len(rx.received) == 1
        t2 = WEDNESDAY + timedelta(seconds=60)
        run(t2)
        d.refresh_from_db()
        assert (d.attempts, d.last_status_code) == (2, 503)
        assert d.next_attempt_at == t2 + timedelta(seconds=120)
        run(t2 + timedelta(seconds=120))
        d.refresh_from_db()
        assert (d.status, d.attempts, d.last_status_code) == (DeliveryStatus.SENT, 3, 200)
        w.refresh_from_db()
        assert w.failure_count == 0 and w.active
        # the same body (and id) every time; only the timestamp and signature change
        assert len({raw for _h, raw in rx.received}) == 1
        assert len({h["X-Drugscene-Timestamp"] for h, _r in rx.received}) == 3


def test_a_webhook_that_keeps_failing_is_disabled_with_a_reason(world, settings) -> None:
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 1
    settings.NOTIFICATIONS_WEBHOOK_DISABLE_AFTER = 3
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    with Receiver(statuses=(500,)) as rx:
        w = hook(world, "police", rx.url)
        run()
        factories.report(world, by="police_reporter")
        factories.report(world, by="police_reporter")
        t = WEDNESDAY
        for _ in range(5):
            run(t)
            t += timedelta(hours=1)
        w.refresh_from_db()
        assert not w.active and w.failure_count == 3
        assert "3 failed attempts" in w.disabled_reason and "HTTP 500" in w.disabled_reason
        assert len(rx.received) == 3
        statuses = list(WebhookDelivery.objects.order_by("id").values_list("status", "attempts"))
        assert statuses == [(DeliveryStatus.FAILED, 2), (DeliveryStatus.PENDING, 1)]
        assert AuditEntry.objects.filter(action="webhook_disabled",
                                         object_id=str(w.pk)).exists()


def test_unreachable_endpoint_is_a_failed_attempt(world) -> None:
    with Receiver() as rx:
        url = rx.url
    w = hook(world, "police", url)  # the server is gone: connection refused
    run()
    factories.report(world, by="police_reporter")
    result = run()
    assert result.hooks.failed == 1
    d = WebhookDelivery.objects.get(webhook=w)
    assert d.last_status_code is None and d.last_error


def test_walk_tasks_only_to_the_responsible_organisations_hook(world) -> None:
    from drugscene.walks.models import Finding, SafetyWalk

    with Receiver() as police_rx, Receiver() as housing_rx:
        hook(world, "police", police_rx.url, kinds=[EventKind.WALK_TASK])
        hook(world, "housing", housing_rx.url, kinds=[EventKind.WALK_TASK])
        walk = SafetyWalk.objects.create(city=world.city, date=WEDNESDAY.date())
        f = Finding.objects.create(walk=walk, kind="graffiti", lon=16.9, lat=59.0,
                                   owner=world.orgs["housing"])
        run()
        assert police_rx.received == []
        assert [b["object"] for b in housing_rx.bodies()] == [{"type": "finding", "id": f.pk}]


def test_the_guides_verification_code_accepts_a_real_delivery(world) -> None:
    from pathlib import Path

    guide = Path(__file__).resolve().parents[2] / "docs/guides/notifications.md"
    code = guide.read_text(encoding="utf-8").split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102  the documented snippet, as a partner would paste it
    is_genuine = namespace["is_genuine"]
    with Receiver() as rx:
        hook(world, "police", rx.url)
        run()
        factories.report(world, by="police_reporter")
        jobs.run_pass()  # at the real time: the snippet checks the timestamp against time()
    headers, raw = rx.received[-1]
    assert is_genuine(SECRET, headers, raw)
    assert not is_genuine(SECRET, headers, raw.replace(b"new_report", b"new_rapport"))
    assert not is_genuine("wrong", headers, raw)
