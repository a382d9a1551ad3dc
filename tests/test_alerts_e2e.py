"""Alerting end to end over the local Ofsted site with a real webhook receiver: the baseline
alerts no one; a letter listed afterwards gives one alert; running again gives none; a
changed letter gives one "changed" alert; a receiver that was down gets it next run."""

from __future__ import annotations

from datetime import date

import pytest

from state.models import AlertOutbox
from tests.support.ingest_env import IngestEnv, write_config
from tests.support.ofsted_site import OfstedSite
from tests.support.stores import BACKENDS, store_url
from tests.test_notify import Hook

ISLINGTON = "80505"


@pytest.fixture(params=BACKENDS)
def env_hook(request, tmp_path, prefect_api):
    hook = Hook()
    with OfstedSite.from_corpus() as site, store_url(request.param, tmp_path) as url:
        extra = (
            "subscribers:\n"
            f"  - {{name: islington-dcs, notify: ['json://127.0.0.1:{hook.port}/hook'], watches: [{{areas: [Islington], kinds: [jtai_letter]}}]}}\n"
        )
        yield IngestEnv(site, write_config(tmp_path, site, url, extra=extra)), hook
    hook.close()


def test_baseline_then_one_alert_per_news(env_hook, seed_pdf, seed_text):
    env, hook = env_hook
    letter = env.site.jtai_doc_ids[ISLINGTON]
    env.site.remove_publication(letter)
    baseline = env.run()
    assert baseline["new_documents"] > 40 and baseline["alerts_queued"] == 0 and hook.posts == []

    new_id = env.site.add_publication(ISLINGTON, "Joint targeted area inspection", date(2019, 1, 29), seed_pdf("000"))
    second = env.run()
    assert second["new_documents"] == 1
    assert (second["alerts_queued"], second["alerts_sent"], second["alerts_failed"]) == (1, 1, 0)
    assert len(hook.posts) == 1
    message = hook.posts[0]["json"]["message"]
    assert "Islington" in message and env.site.file_url(new_id) in message

    third = env.run()
    assert (third["alerts_queued"], third["alerts_sent"]) == (0, 0) and len(hook.posts) == 1

    from tests.support.seed_pdfs import render

    env.site.replace_document(new_id, render(seed_text("000").replace(
        "Midwives providing antenatal care do not regularly offer home visits",
        "Midwives providing antenatal care now offer home visits")))
    hook_port = hook.port
    hook.close()  # the receiver is down for this run
    fourth = env.run()
    assert fourth["new_versions"] == 1 and fourth["alerts_queued"] == 1 and fourth["alerts_sent"] == 0
    assert fourth["alerts_failed"] == 1
    assert env.count(AlertOutbox) == 2

    back = Hook.__new__(Hook)  # listen again on the same port
    import http.server
    import threading

    back.posts = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            import json as _json

            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            back.posts.append({"json": _json.loads(body)})
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a):  # noqa: ANN002
            pass

    back.server = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Handler)
    threading.Thread(target=back.server.serve_forever, daemon=True).start()
    try:
        store = env.store()
        from state.models import utcnow
        from sqlalchemy import update
        from sqlalchemy.orm import Session

        with Session(store.engine) as s, s.begin():  # its backoff has passed
            s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
        store.engine.dispose()
        fifth = env.run()
        assert fifth["alerts_sent"] == 1 and len(back.posts) == 1
        changed = back.posts[0]["json"]["message"]
        assert "Midwives providing antenatal care now offer home visits" in changed or "changed" in changed.lower()
    finally:
        back.server.shutdown()
        back.server.server_close()
