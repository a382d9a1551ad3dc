"""Delivery through apprise to real receivers on loopback: an SMTP server (aiosmtpd) and a
JSON webhook. Each alert arrives once; a receiver that is down gets it on the next attempt;
reasons never show secrets; a dry run sends nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from parsers.api import parse_text
from parsers.diff import describe, diff_findings
from state.blobs import BlobStore
from state.db import open_store
from state.outbox import Outbox, QueuedAlert
from state.repo import Store
from tasks.notify import DeliveryPolicy, deliver, redact, secrets_of
from tasks.render import Alert, AlertDocument, AlertMatch, make_hit
from tests.support.receivers import Hook, Inbox, free_port
from tests.support.stores import BACKENDS, add_version, store_url


@pytest.fixture
def receivers():
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    hook = Hook()
    yield inbox, smtp, hook
    smtp.stop()
    hook.close()


@pytest.fixture(params=BACKENDS)
def outbox_and_version(request, tmp_path, seed_text):
    with store_url(request.param, tmp_path) as url:
        engine = open_store(url)
        store = Store(engine, BlobStore(tmp_path / "blobs"))
        src = store.ensure_source("ofsted", "ofsted_search", "https://x")
        version_id = add_version(store, src, "https://files.example/islington.pdf", parse_text(seed_text("000")), b"islington")
        yield Outbox(engine), version_id
        engine.dispose()


def islington_alert(seed_text) -> Alert:
    doc = parse_text(seed_text("000"))
    finding = next(f for f in doc.findings if "intermediaries" in f.text)
    other = parse_text(seed_text("004"))
    return Alert(
        subscriber="islington-dcs",
        document=AlertDocument.from_parsed(doc, "https://files.example/islington.pdf"),
        matches=[AlertMatch("phrases: intermediaries in JTAI letters", [make_hit(finding, ["intermediaries"])])],
        change="new_document",
        diff_lines=describe(diff_findings(other.findings, doc.findings)),
        changed={},
    )


def test_email_and_webhook_each_receive_one_alert(outbox_and_version, receivers, seed_text):
    outbox, version_id = outbox_and_version
    inbox, smtp, hook = receivers
    mail = f"mailto://127.0.0.1:{smtp.port}?from=jtai@example.org&to=dcs@example.org&mode=insecure"
    webhook = f"json://127.0.0.1:{hook.port}/hook"
    alert = islington_alert(seed_text)
    assert outbox.queue([QueuedAlert("islington-dcs", version_id, "0:abc", alert.to_json())]) == 1
    summary = deliver(outbox, {"islington-dcs": [mail, webhook]})
    assert (summary.sent, summary.failed, summary.retrying) == (1, 0, 0)
    assert len(inbox.messages) == 1
    raw = inbox.messages[0].content.decode()
    assert "Subject: JTAI letter: Islington (published 29 January 2019)" in raw
    assert "multipart/alternative" in raw and "text/plain" in raw and "text/html" in raw
    assert len(hook.posts) == 1
    message = hook.posts[0]["json"]["message"]
    assert "https://files.example/islington.pdf" in message and "**intermediaries**" in message
    assert deliver(outbox, {"islington-dcs": [mail, webhook]}).sent == 0  # never twice
    assert len(inbox.messages) == 1 and len(hook.posts) == 1


def test_receiver_down_then_delivered_and_failed_reasons_redacted(outbox_and_version, receivers, seed_text):
    outbox, version_id = outbox_and_version
    _, _, hook = receivers
    port = hook.port
    hook.close()  # down for the first attempt
    url = f"json://user:s3cretpass@127.0.0.1:{port}/hook"
    outbox.queue([QueuedAlert("ops", version_id, "0:k", islington_alert(seed_text).to_json())])
    first = deliver(outbox, {"ops": [url]}, policy=DeliveryPolicy(backoff=timedelta(seconds=-1)))
    assert (first.sent, first.retrying) == (0, 1)
    assert all("s3cretpass" not in e for e in first.errors)
    # The receiver is back (on a new port here): the next delivery sends it.
    hook2 = Hook()
    url2 = f"json://user:s3cretpass@127.0.0.1:{hook2.port}/hook"
    second = deliver(outbox, {"ops": [url2]})
    assert second.sent == 1 and len(hook2.posts) == 1
    hook2.close()
    # A receiver that stays down: failed after max attempts, reason kept without the secret.
    outbox.queue([QueuedAlert("ops", version_id, "1:k", islington_alert(seed_text).to_json())])
    for _ in range(3):
        deliver(outbox, {"ops": [url]}, policy=DeliveryPolicy(max_attempts=2, backoff=timedelta(seconds=-1)))
    (row,) = outbox.list("failed")
    assert row.last_error and "s3cretpass" not in row.last_error and "json:" in row.last_error


def test_dry_run_sends_nothing(outbox_and_version, receivers, seed_text):
    outbox, version_id = outbox_and_version
    _, _, hook = receivers
    outbox.queue([QueuedAlert("ops", version_id, "0:k", islington_alert(seed_text).to_json())])
    assert deliver(outbox, {"ops": [f"json://127.0.0.1:{hook.port}/hook"]}, dry_run=True).sent == 0
    assert hook.posts == [] and [a.status for a in outbox.list()] == ["pending"]


def test_redaction():
    urls = ["mailtos://me:hunter2@smtp.example.org?to=x@example.org", "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"]
    secrets = secrets_of(urls)
    text = "failed mailtos://me:hunter2@smtp.example.org and slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
    out = redact(text, secrets)
    assert "hunter2" not in out and "TIiajkdnlazkcOXrIdevi7FQ" not in out and "A1BRTD4JD" not in out
