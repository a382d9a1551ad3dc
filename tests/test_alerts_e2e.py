"""Alerting end to end over the local Ofsted site with a real webhook receiver: the baseline
alerts no one; a letter listed afterwards gives one alert; running again gives none; a
changed letter gives one "changed" alert naming exactly the changed finding; a receiver that
was down gets it next run, and only once. The webhook payloads are asserted exactly."""

from __future__ import annotations

from datetime import date

import pytest

from sqlalchemy import update
from sqlalchemy.orm import Session

from state.models import AlertOutbox, utcnow
from tests.support.ingest_env import IngestEnv, write_config
from tests.support.ofsted_site import OfstedSite
from tests.support.stores import BACKENDS, store_url
from tests.support.receivers import Hook

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
    url = env.site.file_url(new_id)
    head = [
        f"[Open the JTAI letter]({url})",
        "Joint targeted area inspection of the multi-agency response to sexual abuse in the family in Islington",
        "Matched areas: Islington in JTAI letters",
        "Written statement of action due 10 May 2019",
    ]
    # apprise's json:// payload, exactly: our markdown as the message, no title.
    assert hook.posts[0]["json"] == {
        "version": "1.0", "title": "", "attachments": [], "type": "info",
        "message": "\n".join(["**JTAI letter: Islington (published 29 January 2019)**", *head]),
    }

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

    back = Hook(hook_port)  # the receiver is up again, on the same address
    try:
        store = env.store()
        with Session(store.engine) as s, s.begin():  # its backoff has passed
            s.execute(update(AlertOutbox).values(next_attempt_at=utcnow()))
        store.engine.dispose()
        fifth = env.run()
        assert (fifth["alerts_queued"], fifth["alerts_sent"], fifth["alerts_failed"]) == (0, 1, 0)
        assert len(back.posts) == 1
        # Exactly the one changed finding, said as such.
        assert back.posts[0]["json"]["message"].splitlines() == [
            "**New version — JTAI letter: Islington (published 29 January 2019)**",
            *head,
            "Compared with the previous version of this JTAI letter — 1 finding changed:",
            "- changed area for improvement: Midwives providing antenatal care now offer home visits, "
            "which would enable better identification of potential risks…",
        ]
        sixth = env.run()
        assert (sixth["alerts_queued"], sixth["alerts_sent"]) == (0, 0) and len(back.posts) == 1
    finally:
        back.close()
