"""The alert outbox on real SQLite and PostgreSQL: queued once per key, claimed by one
worker at a time, leases expire, failures are kept and can be retried."""

import threading
from datetime import timedelta

import pytest

from parsers.api import parse_text
from state.blobs import BlobStore
from state.db import open_store
from state.models import utcnow
from state.outbox import Outbox, QueuedAlert
from state.repo import Store
from tests.support.stores import BACKENDS, add_version, store_url


@pytest.fixture(params=BACKENDS)
def setup(request, tmp_path, seed_text):
    with store_url(request.param, tmp_path) as url:
        engine = open_store(url)
        store = Store(engine, BlobStore(tmp_path / "blobs"))
        src = store.ensure_source("s", "file", "/x")
        versions = []
        for i in range(3):
            versions.append(add_version(store, src, f"file:///{i}.pdf", parse_text(seed_text("000")), f"body {i}".encode()))
        yield Outbox(engine, lease=timedelta(seconds=60)), versions
        engine.dispose()


def alerts(versions, subscribers=("a", "b"), watches=("0:w", "1:w")):
    return [QueuedAlert(s, v, w, {"v": v}) for s in subscribers for v in versions for w in watches]


def test_queue_is_idempotent(setup):
    outbox, versions = setup
    assert outbox.queue(alerts(versions)) == 12
    assert outbox.queue(alerts(versions)) == 0
    assert outbox.queue([QueuedAlert("a", versions[0], "0:w", {})]) == 0
    assert outbox.queue([QueuedAlert("c", versions[0], "0:w", {})]) == 1
    assert len(outbox.list()) == 13


def test_subscribers_first_seen(setup):
    outbox, _ = setup
    first = outbox.sync_subscribers(["a", "b"])
    again = outbox.sync_subscribers(["a", "b", "c"])
    assert first["a"] == again["a"] and set(again) == {"a", "b", "c"}


def test_two_workers_claim_disjoint_sets(setup):
    outbox, versions = setup
    outbox.queue(alerts(versions))
    claimed: list[list[int]] = [[], []]

    def worker(i):
        while True:
            got = outbox.claim(limit=2, worker=f"w{i}")
            if not got:
                return
            claimed[i].extend(a.id for a in got)
            for a in got:
                outbox.mark_sent(a.id)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    all_ids = claimed[0] + claimed[1]
    assert len(all_ids) == len(set(all_ids)) == 12
    assert {a.status for a in outbox.list()} == {"sent"}


def test_lease_expiry_failure_and_retry(setup):
    outbox, versions = setup
    outbox.queue(alerts(versions[:1], subscribers=("a",), watches=("0:w",)))
    (first,) = outbox.claim(worker="dies")
    assert outbox.claim(worker="other") == []  # leased
    outbox.lease = timedelta(seconds=-1)
    outbox.mark_failed(first.id, "boom", retry_at=utcnow() - timedelta(seconds=1))
    (again,) = outbox.claim(worker="other")
    assert again.id == first.id and again.attempts == 2
    outbox.mark_failed(again.id, "receiver down: http://127.0.0.1:9/hook", retry_at=None)
    failed = outbox.list("failed")
    assert [(f.id, f.last_error) for f in failed] == [(first.id, "receiver down: http://127.0.0.1:9/hook")]
    assert outbox.claim() == []
    assert outbox.retry_failed() == 1
    assert [a.id for a in outbox.claim()] == [first.id]
