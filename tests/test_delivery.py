"""Delivery details against real receivers on loopback: digests, partial failures, Slack
and Mattermost payloads, the per-host bound, two workers at once, and no secret in any
log line."""

from __future__ import annotations

import email
import email.policy
import logging
import threading
from datetime import timedelta

import pytest

from parsers.api import parse_text
from state.blobs import BlobStore
from state.db import make_engine, open_store
from state.outbox import Outbox, QueuedAlert
from state.repo import Store
from tasks.notify import DeliveryPolicy, deliver, url_host
from tasks.render import Alert, AlertDocument, AlertMatch, make_hit
from tests.support.stores import BACKENDS, add_version, store_url
from tests.support.tls_proxy import InterceptingProxy
from tests.support.receivers import Hook, Inbox, free_port

SLACK_TOKEN = "TIiajkdnlazkcOXrIdevi7FQ"


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path, seed_text):
    """A store holding the Islington and Cornwall letters; yields (url, outbox, {area: version id})."""
    with store_url(request.param, tmp_path) as url:
        engine = open_store(url)
        st = Store(engine, BlobStore(tmp_path / "blobs"))
        src = st.ensure_source("ofsted", "ofsted_search", "https://x")
        versions = {}
        for area, seed in (("Islington", "000"), ("Cornwall", "001")):
            versions[area] = add_version(
                st, src, f"https://files.example/{area.lower()}.pdf", parse_text(seed_text(seed)), area.encode()
            )
        yield url, Outbox(engine), versions
        engine.dispose()


def alert_for(seed_text, seed: str, area: str, phrase: str, subscriber: str = "dcs") -> Alert:
    doc = parse_text(seed_text(seed))
    hits = [make_hit(f, [phrase]) for f in doc.findings if phrase in f.text.lower()][:2]
    return Alert(
        subscriber=subscriber,
        document=AlertDocument.from_parsed(doc, f"https://files.example/{area.lower()}.pdf"),
        matches=[AlertMatch(f'phrases: "{phrase}"', hits)],
        change="new_document",
    )


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def hook():
    h = Hook()
    yield h
    h.close()


def _mail(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=jtai@example.org&to=dcs@example.org&mode=insecure"


def test_daily_digest_is_one_message_per_url_with_every_alert(store, smtp, hook, seed_text):
    _, outbox, versions = store
    inbox, port = smtp
    outbox.queue([
        QueuedAlert("dcs", versions["Islington"], "0:a", alert_for(seed_text, "000", "Islington", "health").to_json()),
        QueuedAlert("dcs", versions["Cornwall"], "0:a", alert_for(seed_text, "001", "Cornwall", "health").to_json()),
        QueuedAlert("dcs", versions["Cornwall"], "1:b", alert_for(seed_text, "001", "Cornwall", "police").to_json()),
    ])
    urls = {"dcs": [_mail(port), f"json://127.0.0.1:{hook.port}/digest"]}
    summary = deliver(outbox, urls, mode="daily")
    assert (summary.sent, summary.messages, summary.failed, summary.retrying) == (3, 2, 0, 0)
    assert len(inbox.messages) == 1 and len(hook.posts) == 1
    msg = email.message_from_bytes(inbox.messages[0].content, policy=email.policy.default)
    assert msg["Subject"] == "jtai-watch daily digest: 2 documents (Islington, Cornwall)"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for body in (text, html):
        assert "https://files.example/islington.pdf" in body and "https://files.example/cornwall.pdf" in body
    chat = hook.posts[0]["json"]["message"]
    assert chat.splitlines()[0] == "**jtai-watch daily digest: 2 documents (Islington, Cornwall)**"
    assert chat.count("https://files.example/") == 2
    # Nothing is due any more: the next digest sends nothing at all.
    assert deliver(outbox, urls, mode="daily").messages == 0
    assert len(inbox.messages) == 1 and len(hook.posts) == 1


def test_a_big_weekly_digest_is_still_one_message(store, hook, seed_text):
    """More due alerts than one immediate batch: the week is still one digest."""
    _, outbox, versions = store
    alert = alert_for(seed_text, "000", "Islington", "health").to_json()
    outbox.queue([QueuedAlert("dcs", versions["Islington"], f"{i}:w", alert) for i in range(250)])
    summary = deliver(outbox, {"dcs": [f"json://127.0.0.1:{hook.port}/digest"]}, mode="weekly", policy=DeliveryPolicy(batch=100))
    assert (summary.sent, summary.messages) == (250, 1)
    (post,) = hook.posts
    assert post["json"]["message"].splitlines()[0].startswith("**jtai-watch weekly digest:")


def test_partial_failure_retries_only_the_url_that_failed(store, smtp, hook, seed_text):
    _, outbox, versions = store
    inbox, port = smtp
    outbox.queue([QueuedAlert("dcs", versions["Islington"], "0:a", alert_for(seed_text, "000", "Islington", "health").to_json())])
    urls = {"dcs": [_mail(port), f"json://127.0.0.1:{hook.port}/hook"]}
    hook.status = 503  # the chat server is down; the mail server is fine
    first = deliver(outbox, urls, policy=DeliveryPolicy(backoff=timedelta(seconds=-1)))
    assert (first.sent, first.retrying, first.messages) == (0, 1, 1)
    assert len(inbox.messages) == 1 and hook.posts == []
    (row,) = outbox.list("pending")
    assert len(row.delivered_to) == 1 and "json: " in row.last_error and "503" in row.last_error
    hook.status = 200
    second = deliver(outbox, urls)
    assert (second.sent, second.messages) == (1, 1)
    assert len(inbox.messages) == 1, "the email must not be sent twice"
    assert len(hook.posts) == 1
    assert [r.status for r in outbox.list()] == ["sent"]


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_slack_payload_in_slack_mrkdwn(store, seed_text, monkeypatch):
    _, outbox, versions = store
    proxy = InterceptingProxy("hooks.slack.com")
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        outbox.queue([QueuedAlert("dcs", versions["Islington"], "0:a", alert_for(seed_text, "000", "Islington", "intermediaries").to_json())])
        url = f"slack://T1JJ3T3L2/A1BRTD4JD/{SLACK_TOKEN}/#safeguarding?verify=no&footer=no&image=no"
        summary = deliver(outbox, {"dcs": [url]})
        assert summary.sent == 1
        (req,) = proxy.requests
    finally:
        proxy.close()
    assert req["host"] == "hooks.slack.com"
    assert req["path"] == f"/services/T1JJ3T3L2/A1BRTD4JD/{SLACK_TOKEN}"
    payload = req["json"]
    assert payload["channel"] == "#safeguarding" and payload["mrkdwn"] is True
    (attachment,) = payload["attachments"]
    lines = attachment["text"].splitlines()
    assert lines[0] == "*JTAI letter: Islington (published 29 January 2019)*"
    assert lines[1] == "<https://files.example/islington.pdf|Open the JTAI letter>"
    assert any("*intermediaries*" in line for line in lines)
    assert "**" not in attachment["text"] and "](" not in attachment["text"]


def test_mattermost_slack_compatible_hook_payload(store, hook, seed_text):
    _, outbox, versions = store
    outbox.queue([QueuedAlert("dcs", versions["Islington"], "0:a", alert_for(seed_text, "000", "Islington", "intermediaries").to_json())])
    token = "x4b7k2m9q8w3e5r6"
    assert deliver(outbox, {"dcs": [f"mmost://127.0.0.1:{hook.port}/{token}?image=no"]}).sent == 1
    (post,) = hook.posts
    assert post["path"] == f"/hooks/{token}"
    assert post["json"]["username"] == "jtai-watch"
    lines = post["json"]["text"].splitlines()
    assert lines[0] == "**JTAI letter: Islington (published 29 January 2019)**"
    assert lines[1] == "[Open the JTAI letter](https://files.example/islington.pdf)"
    assert any("**intermediaries**" in line for line in lines)


def test_concurrency_is_bounded_per_host(store, seed_text):
    _, outbox, versions = store
    slow = Hook()
    slow.delay = 0.05
    alert = alert_for(seed_text, "000", "Islington", "health").to_json()
    outbox.queue([QueuedAlert("dcs", versions["Islington"], f"{i}:k", alert) for i in range(24)])
    try:
        summary = deliver(outbox, {"dcs": [f"json://127.0.0.1:{slow.port}/hook"]}, policy=DeliveryPolicy(per_host=3, workers=8))
    finally:
        slow.close()
    assert summary.sent == 24 and len(slow.posts) == 24
    assert slow.max_active == 3, "three at once to one host, never more"


def test_url_host():
    assert url_host("slack://T1/A1/tok/#c") == "hooks.slack.com"
    assert url_host("json://127.0.0.1:9000/hook") == "127.0.0.1:9000"
    assert url_host("mailtos://me:pw@smtp.example.org?to=x@example.org") == "smtp.example.org:"


def test_two_workers_at_once_send_each_alert_exactly_once(store, hook, seed_text):
    url, outbox, versions = store
    hook.delay = 0.01
    alert = alert_for(seed_text, "000", "Islington", "health").to_json()
    n = 60
    outbox.queue([QueuedAlert("dcs", versions["Islington"], f"{i}:k", alert) for i in range(n)])
    notify = {"dcs": [f"json://127.0.0.1:{hook.port}/hook"]}
    results = []
    barrier = threading.Barrier(2)

    def worker(name: str) -> None:
        engine = make_engine(url)  # each worker has its own connections, as two processes would
        try:
            barrier.wait()
            results.append(deliver(Outbox(engine), notify, worker=name, policy=DeliveryPolicy(batch=10, workers=2)))
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in results) == n
    assert all(r.sent > 0 for r in results), "both workers took part"
    assert len(hook.posts) == n
    assert {r.status for r in outbox.list()} == {"sent"}


def test_no_secret_in_any_log_line(store, seed_text, caplog):
    _, outbox, versions = store
    password, token = "hunter2-Secret", "Zq8sK2pL0vWx4nYt"
    dead = free_port()
    urls = {"dcs": [
        f"mailto://ops:{password}@127.0.0.1:{dead}?from=jtai@example.org&to=dcs@example.org&mode=insecure",
        f"json://ops:{password}@127.0.0.1:{dead}/hooks/{token}?key={token}",
    ]}
    outbox.queue([QueuedAlert("dcs", versions["Islington"], "0:a", alert_for(seed_text, "000", "Islington", "health").to_json())])
    with caplog.at_level(logging.DEBUG):
        for _ in range(2):
            deliver(outbox, urls, policy=DeliveryPolicy(max_attempts=2, backoff=timedelta(seconds=-1)))
    (row,) = outbox.list("failed")
    assert "mailto: " in row.last_error and "json: " in row.last_error
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not delivered" in logged
    for secret in (password, token):
        assert secret not in logged and secret not in row.last_error
        assert secret not in str(row.delivered_to)
