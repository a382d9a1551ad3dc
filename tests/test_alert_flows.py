"""The alert flows end to end over the local Ofsted site, with a real SMTP server (with a
login) and real webhook receivers: one email per new letter with its subject, parts,
snippets, diff and link; a weekly digest; backfill --notify, notify_history and rerun
--notify; retries by the deliver flow; two delivery processes at once; and no secret in any
log line, Prefect artifact or flow parameter."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import update
from sqlalchemy.orm import Session

from state.models import AlertOutbox, Document, utcnow
from state.outbox import Outbox, QueuedAlert
from tests.support.ingest_env import IngestEnv, write_config
from tests.support.logs import all_log_lines
from tests.support.ofsted_site import OfstedSite
from tests.support.seed_pdfs import render
from tests.support.stores import BACKENDS, add_version, store_url
from tests.test_cli_ingest import SCRIPT
from tests.support.receivers import Hook, Inbox, free_port

ISLINGTON = "80505"
PASSWORD = "Sm7p-Pa55word-x9"
TOKEN = "wH00kT0ken-4Zq8sK2p"
OLD = "Midwives providing antenatal care do not regularly offer home visits"
NEW = "Midwives providing antenatal care now offer home visits"


class AuthSMTP:
    """aiosmtpd that insists on the login the config's ``${SMTP_PASSWORD}`` holds."""

    def __init__(self) -> None:
        self.inbox = Inbox()
        self.logins: list[str] = []

        def authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001, ANN202
            ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == PASSWORD
            self.logins.append(auth_data.login.decode() if ok else "refused")
            return AuthResult(success=ok)

        self.controller = Controller(
            self.inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator, auth_require_tls=False,
        )
        self.controller.start()
        self.port = self.controller.port

    def messages(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(m.content, policy=email.policy.default) for m in self.inbox.messages]

    def close(self) -> None:
        self.controller.stop()


def _unsent_now(env: IngestEnv) -> None:
    """Let every backoff pass."""
    store = env.store()
    with Session(store.engine) as s, s.begin():
        s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
    store.engine.dispose()


@pytest.fixture(params=BACKENDS)
def mail_env(request, tmp_path, prefect_api, monkeypatch):
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    smtp, hook = AuthSMTP(), Hook()
    with OfstedSite.from_corpus() as site, store_url(request.param, tmp_path) as url:
        extra = f"""subscribers:
  - name: islington-dcs
    notify: ["mailto://ops:${{SMTP_PASSWORD}}@127.0.0.1:{smtp.port}?from=jtai@example.org&to=dcs@example.org&mode=insecure"]
    watches: [{{areas: [Islington], kinds: [jtai_letter], phrases: [home visits]}}]
  - name: weekly-reader
    digest: weekly
    notify: ["json://127.0.0.1:{hook.port}/hooks/${{HOOK_TOKEN}}"]
    watches: [{{areas: [Islington], kinds: [jtai_letter]}}]
"""
        yield IngestEnv(site, write_config(tmp_path, site, url, extra=extra)), smtp, hook
    smtp.close()
    hook.close()


def test_email_digest_and_no_secret_anywhere(mail_env, seed_pdf, seed_text, capfd):
    from flows.delivery import digest_flow

    env, smtp, hook = mail_env
    letter = env.site.jtai_doc_ids[ISLINGTON]
    env.site.remove_publication(letter)
    with all_log_lines() as logged:
        baseline = env.run()
        assert baseline["alerts_queued"] == 0 and smtp.inbox.messages == [] and hook.posts == []

        new_id = env.site.add_publication(ISLINGTON, "Joint targeted area inspection", date(2019, 1, 29), seed_pdf("000"))
        second = env.run()
        # One immediate email; the weekly subscriber's alert waits for the digest.
        assert (second["alerts_queued"], second["alerts_sent"], second["alerts_failed"]) == (2, 1, 0)
        (mail,) = smtp.messages()
        assert smtp.logins == ["ops"]
        assert mail["Subject"] == "JTAI letter: Islington (published 29 January 2019)"
        assert mail["To"] == "dcs@example.org"
        text = mail.get_body(("plain",)).get_content()
        html = mail.get_body(("html",)).get_content()
        link = env.site.file_url(new_id)
        for body in (text, html):
            assert link in body
            assert "Written statement of action due 10 May 2019" in body
        flat = " ".join(text.split())
        assert "<mark>home visits</mark>" in html
        assert "Area for improvement 13 - phrases: home visits …antenatal care do not regularly offer *home visits*, which would enable" in flat
        assert 'Matched your watch (areas: Islington; phrases: "home visits" in JTAI letters), 2 findings:' in flat
        assert "What changed: No earlier JTAI letter for this area to compare with." in flat
        assert hook.posts == []

        digest = digest_flow(config_path=str(env.config_path), period="weekly")
        assert (digest["due"], digest["alerts_sent"], digest["messages"]) == (1, 1, 1)
        (post,) = hook.posts
        assert post["path"] == f"/hooks/{TOKEN}"
        lines = post["json"]["message"].splitlines()
        assert lines[0] == "**jtai-watch weekly digest: 1 document (Islington)**"
        assert link in post["json"]["message"]
        assert digest_flow(config_path=str(env.config_path), period="weekly")["messages"] == 0

        # The letter changes: one email saying exactly what changed.
        env.site.replace_document(new_id, render(seed_text("000").replace(OLD, NEW)))
        third = env.run()
        assert third["new_versions"] == 1 and third["alerts_sent"] == 1
        changed = smtp.messages()[-1]
        assert changed["Subject"] == "New version — JTAI letter: Islington (published 29 January 2019)"
        ctext = " ".join(changed.get_body(("plain",)).get_content().split())
        assert ("What changed: Compared with the previous version of this JTAI letter — 1 finding changed: "
                "- changed area for improvement: Midwives providing antenatal care now offer home visits, which would "
                "enable better identification of potential risks…") in ctext
        assert f"Open the JTAI letter: {link}" in ctext
        assert len(smtp.messages()) == 2

    # The secrets were used (the login worked, the hook path holds the token) and are nowhere else.
    out, err = capfd.readouterr()
    text_logged = "\n".join(logged)
    # The capture saw our warnings and the libraries' debug lines (HTTP, SQL, SMTP).
    assert "jtai_watch.fetch WARNING" in text_logged and "httpcore" in text_logged and len(logged) > 1000
    for secret in (PASSWORD, TOKEN):
        assert secret not in text_logged and secret not in out and secret not in err
    store = env.store()
    with Session(store.engine) as s:
        rows = list(s.query(AlertOutbox))
        stored = json.dumps([r.payload for r in rows]) + json.dumps([r.last_error for r in rows]) + json.dumps([r.delivered_to for r in rows])
    store.engine.dispose()
    assert PASSWORD not in stored and TOKEN not in stored
    _assert_not_in_prefect([PASSWORD, TOKEN])


def _assert_not_in_prefect(secrets: list[str]) -> None:
    """Nothing Prefect holds about our runs — parameters, artifacts, logs — names a secret."""
    import asyncio

    from prefect.client.orchestration import get_client

    async def collect() -> str:
        async with get_client() as client:
            runs = await client.read_flow_runs(limit=200)
            arts = await client.read_artifacts(limit=200)
            logs = await client.read_logs(limit=200)
        return json.dumps(
            [r.parameters for r in runs] + [a.data for a in arts] + [lg.message for lg in logs], default=str
        )

    blob = asyncio.run(collect())
    assert "ingest-summary" in blob or "jtai-watch ingest" in blob
    for secret in secrets:
        assert secret not in blob


@pytest.fixture(params=BACKENDS)
def history_env(request, tmp_path, prefect_api):
    hook = Hook()
    with OfstedSite.from_corpus() as site, store_url(request.param, tmp_path) as url:
        extra = f"""subscribers:
  - name: islington-watcher
    notify: ["json://127.0.0.1:{hook.port}/hook"]
    watches: [{{areas: [Islington]}}]
"""
        path = write_config(tmp_path, site, url, extra=extra, revalidate_after_hours=168)
        # The board's page: every report it lists is news, even in its first run.
        text = path.read_text().replace("link_pattern: 'annual.*report.*\\.pdf$'}", "link_pattern: 'annual.*report.*\\.pdf$', notify_history: true}")
        assert "notify_history: true" in text
        path.write_text(text)
        yield IngestEnv(site, path), hook
    hook.close()


def test_notify_history_backfill_rerun_and_deliver(history_env, seed_text):
    from flows.delivery import deliver_flow
    from flows.ingest import backfill, rerun

    env, hook = history_env
    first = env.run()
    # Only the notify_history source alerts in its baseline: the board's Islington report.
    assert first["alerts_queued"] == 1 and first["alerts_sent"] == 1
    (post,) = hook.posts
    assert post["json"]["message"].splitlines()[:2] == [
        "**Board annual report: Islington**", f"[Open the annual report]({env.site.board_report_url})",
    ]

    # Backfill with --notify: the Islington documents published since 2019, once each.
    store = env.store()
    with Session(store.engine) as s:
        all_docs = [d.id for d in s.query(Document)]
    since_2019 = store.current_versions(all_docs, published_since=date(2019, 1, 1))
    expected = [v for v in map(store.version, since_2019) if v.area_name == "Islington"]
    store.engine.dispose()
    assert [v.kind for v in expected] == ["jtai_letter", "inspection_report"]
    # A plain run now trusts the unchanged listings and asks only for the document that
    # failed (Birmingham's error page); backfill asks for every one again, conditionally.
    env.site.reset_log()
    assert env.run()["alerts_queued"] == 0
    assert len([h for h in env.site.requests if h.kind == "document"]) == 1
    env.site.reset_log()
    filled = backfill(config_path=str(env.config_path), since=date(2019, 1, 1), notify=True)
    documents = [h for h in env.site.requests if h.kind == "document"]
    assert len(documents) == 53 and sum(h.status == 304 for h in documents) == 52
    assert (filled["new_documents"], filled["discovered"], filled["not_modified"], len(filled["failed"])) == (0, 53, 52, 1)
    assert filled["history"] == len(since_2019) == 29  # stored documents matched against the watches
    assert (filled["alerts_queued"], filled["alerts_sent"]) == (2, 2) and len(hook.posts) == 3
    assert {p["json"]["message"].splitlines()[0] for p in hook.posts[1:]} == {
        "**JTAI letter: Islington (published 29 January 2019)**",
        "**Ofsted inspection: Islington (published 29 January 2025)**",
    }
    again = backfill(config_path=str(env.config_path), since=date(2019, 1, 1), notify=True)
    assert again["alerts_queued"] == 0 and len(hook.posts) == 3

    # rerun --notify of a changed letter, with the receiver down: queued, then the deliver
    # flow sends it once the backoff has passed.
    letter = env.site.jtai_doc_ids[ISLINGTON]
    env.site.replace_document(letter, render(seed_text("000").replace(OLD, NEW)))
    hook.status = 503
    out = rerun(config_path=str(env.config_path), document=env.site.file_url(letter), notify=True)
    assert out["new_versions"] == 1 and out["alerts_queued"] == 1 and out["alerts_sent"] == 0 and out["alerts_failed"] == 1
    hook.status = 200
    assert deliver_flow(config_path=str(env.config_path))["alerts_sent"] == 0  # still backing off
    _unsent_now(env)
    sent = deliver_flow(config_path=str(env.config_path))
    assert (sent["alerts_sent"], sent["messages"]) == (1, 1)
    message = hook.posts[-1]["json"]["message"]
    assert message.startswith("**New version — JTAI letter: Islington (published 29 January 2019)**")
    assert "1 finding changed" in message
    again = rerun(config_path=str(env.config_path), document=env.site.file_url(letter), notify=True)
    assert again["alerts_queued"] == 0 and len(hook.posts) == 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_delivery_processes_send_each_alert_once(backend, tmp_path, seed_text):
    """Two `jtai-watch deliver` processes over one store: every alert arrives exactly once."""
    from parsers.api import parse_text
    from state.blobs import BlobStore
    from state.db import open_store
    from state.repo import Store
    from tasks.render import Alert, AlertDocument, AlertMatch, make_hit

    hook = Hook()
    hook.delay = 0.05
    n = 40
    with store_url(backend, tmp_path) as url:
        (tmp_path / "jtai-watch.yaml").write_text(
            f'state: {{url: "{url}", blobs: state/blobs}}\n'
            f"subscribers:\n  - {{name: dcs, notify: ['json://127.0.0.1:{hook.port}/hook'], watches: [{{areas: [Islington]}}]}}\n",
            encoding="utf-8",
        )
        engine = open_store(url)
        store = Store(engine, BlobStore(tmp_path / "blobs"))
        doc = parse_text(seed_text("000"))
        version_id = add_version(store, store.ensure_source("s", "feed", "https://x"), "https://files.example/islington.pdf", doc, b"x")
        alert = Alert("dcs", AlertDocument.from_parsed(doc, "https://files.example/islington.pdf"),
                      [AlertMatch("areas: Islington", [make_hit(doc.findings[0], [])])])
        Outbox(engine).queue([QueuedAlert("dcs", version_id, f"{i}:k", alert.to_json()) for i in range(n)])

        def start(i: int) -> subprocess.Popen:
            env = {**os.environ, "PREFECT_HOME": str(tmp_path / f".prefect{i}")}
            env.pop("PREFECT_API_URL", None)
            return subprocess.Popen([SCRIPT, "deliver", "--json"], cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        procs = [start(i) for i in range(2)]
        results = []
        for p in procs:
            out_, err_ = p.communicate(timeout=180)
            assert p.returncode == 0, err_
            results.append(json.loads(out_))
        try:
            assert sum(r["alerts_sent"] for r in results) == n
            assert len(hook.posts) == n
            assert {r.status for r in Outbox(engine).list()} == {"sent"}
        finally:
            engine.dispose()
            hook.close()
