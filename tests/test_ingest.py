"""End to end over the local copy of the Ofsted site: real HTTP, real PDFs, real store
(SQLite, and PostgreSQL when configured), the real Prefect flow."""

from __future__ import annotations

import json

import pytest

from state.models import Diff, Document, Finding, Version
from tests.support.corpus import manifest
from tests.support.ingest_env import IngestEnv, write_config
from tests.support.ofsted_site import OfstedSite
from tests.support.stores import BACKENDS, store_url

BIRMINGHAM = next(r for r in manifest() if "birmingham" in r.file)
N_LISTED = 49 + 3 + 1  # manifest files, three JTAI letters, the board's annual report


@pytest.fixture(params=BACKENDS)
def env(request, tmp_path, prefect_api):
    with OfstedSite.from_corpus() as site, store_url(request.param, tmp_path) as url:
        yield IngestEnv(site, write_config(tmp_path, site, url))


def test_first_run_stores_everything_second_run_downloads_nothing(env):
    first = env.run()
    assert first["sources"] == 3
    assert first["discovered"] == N_LISTED
    assert first["new_documents"] == N_LISTED - 1 and first["new_versions"] == 0
    assert first["parsed"] == N_LISTED - 1
    assert [(f["stage"], f["error"]) for f in first["failed"]] == [
        ("fetch", 'not a PDF: the server sent an HTML page (title "Report not found - Find an Inspection Report - Ofsted")')
    ]
    assert env.count(Document) == N_LISTED and env.count(Version) == N_LISTED - 1
    assert env.count(Diff) == N_LISTED - 1
    env.check_consistent()
    islington = env.document(env.site.file_url(env.site.jtai_doc_ids["80505"]))
    store = env.store()
    v = store.version(islington.current_version_id)
    assert (v.kind, v.area_name, str(v.published)) == ("jtai_letter", "Islington", "2019-01-29")
    assert len(store.query_findings(area="E09000019", section="strength", kind="jtai_letter")) == 32
    # ILACS reports take their publication date from the listing.
    ilacs = store.query_findings(area="E09000019", kind="inspection_report", section="judgement")
    assert {str(v.published) for _, v, _ in ilacs} == {"2025-01-29"}
    store.engine.dispose()

    env.site.reset_log()
    second = env.run()
    assert second["new_documents"] == second["new_versions"] == second["parsed"] == 0
    assert second["not_modified"] == N_LISTED - 1
    from urllib.parse import urlsplit

    failed_path = urlsplit(second["failed"][0]["url"]).path
    docs = [h for h in env.site.requests if h.kind == "document"]
    assert {h.status for h in docs if h.path != failed_path} == {304}
    # Only the failed document is downloaded again (and fails again); listings are 304s.
    assert env.site.bytes_sent("document") == BIRMINGHAM.bytes
    assert env.site.bytes_sent("listing") == 0
    assert [f["stage"] for f in second["failed"]] == ["fetch"]
    assert env.count(Version) == N_LISTED - 1


def test_changed_pdf_gives_a_new_version_and_exact_diff(env, seed_text):
    from tests.support.seed_pdfs import render

    env.run()
    doc_id = env.site.jtai_doc_ids["80505"]
    text = seed_text("000")
    old_sentence = "Police vacancies in safeguarding, coupled with a shortfall of qualified detectives"
    new_sentence = "Police vacancies in safeguarding, coupled with a severe shortfall of qualified detectives"
    edited = text.replace(old_sentence, new_sentence).replace(
        "- Midwives providing antenatal care do not regularly offer home visits",
        "- Partners now hold a shared register of children at risk of sexual abuse.\n- Midwives providing antenatal care do not regularly offer home visits",
    )
    env.site.replace_document(doc_id, render(edited))
    summary = env.run()
    assert summary["new_versions"] == 1 and summary["new_documents"] == 0 and summary["parsed"] == 1
    doc = env.document(env.site.file_url(doc_id))
    store = env.store()
    diff, changes = store.diff_of(doc.current_version_id)
    store.engine.dispose()
    assert diff.basis == "previous_version"
    assert sorted((c.kind, c.section) for c in changes) == [("added", "area_for_improvement"), ("changed", "area_for_improvement")]
    changed = next(c for c in changes if c.kind == "changed")
    assert old_sentence in changed.old_text and new_sentence in changed.new_text
    added = next(c for c in changes if c.kind == "added")
    assert added.new_text == "Partners now hold a shared register of children at risk of sexual abuse."
    env.check_consistent()


def test_removed_from_listing_loses_nothing(env):
    env.run()
    doc_id = env.site.jtai_doc_ids["80552"]
    url = env.site.file_url(doc_id)
    findings_before = env.count(Finding)
    env.site.remove_publication(doc_id)
    summary = env.run()
    assert summary["discovered"] == N_LISTED - 1
    doc = env.document(url)
    assert doc is not None and doc.listed is False and doc.current_version_id is not None
    assert env.count(Finding) == findings_before


def test_faults_are_reported_and_retried_next_run(env):
    import httpx

    from parsers.listings import parse_provider_page

    ids = sorted(env.site.jtai_doc_ids.values())
    board = env.site.board_report_url

    urls = []
    for urn in ("80426", "80428", "80442", "80443", "80445"):
        html = httpx.get(env.site.provider_url(urn)).text
        urls.append(parse_provider_page(html, env.site.provider_url(urn), urn)[0].url)
    retried, timeout, reset, truncated, html_page = urls
    env.site.timeout_sleep = 4  # longer than the client's 2 s timeout
    env.site.fault(retried, "500")
    env.site.fault(timeout, "timeout", "timeout", "timeout")
    env.site.fault(reset, "reset", "reset", "reset")
    env.site.fault(truncated, "truncate", "truncate", "truncate")
    env.site.fault(html_page, "html")
    env.site.fault(ids[0], "404")
    env.site.fault(board, "503", "503", "503")
    first = env.run()
    failed = {f["url"]: (f["stage"], f["error"]) for f in first["failed"]}
    assert retried not in failed  # 500 then success: retried within the run
    assert failed[timeout][0] == "fetch" and "timed out" in failed[timeout][1]
    assert failed[reset][0] == "fetch"
    assert failed[truncated][0] == "fetch" and "body cut off" in failed[truncated][1]
    assert "not a PDF" in failed[html_page][1]
    assert "404" in failed[env.site.file_url(ids[0])][1]
    assert "503" in failed[board][1]
    assert first["new_documents"] == N_LISTED - 1 - 6  # six faults, and Birmingham's HTML page
    env.check_consistent()
    second = env.run()  # the faults are used up: everything that failed is fetched now
    assert second["new_documents"] == 6  # Birmingham's page is still HTML
    assert env.count(Version) == N_LISTED - 1
    env.check_consistent()


def test_failing_source_does_not_stop_the_others(env, tmp_path):
    env.site.fault_always("/search", "500")
    summary = env.run()
    stages = {f["stage"] for f in summary["failed"]}
    assert "discover" in stages
    assert summary["new_documents"] == 1 + 3  # the board's report and the feed's three letters
    env.site.fault_always("/search", None)
    again = env.run()
    assert again["new_documents"] == N_LISTED - 1 - 4


def test_unchanged_listing_skips_recently_checked_documents(tmp_path, prefect_api):
    """With the default revalidation window, a no-change run asks only for listing pages."""
    with OfstedSite.from_corpus() as site, store_url("sqlite", tmp_path) as url:
        env = IngestEnv(site, write_config(tmp_path, site, url, revalidate_after_hours=168))
        env.run()
        site.reset_log()
        second = env.run()
        assert second["not_modified"] == N_LISTED - 1 and second["parsed"] == 0
        documents = [h for h in site.requests if h.kind == "document"]
        # Only the document that failed last time is asked for again.
        assert len(documents) == 1 and "50000003" in documents[0].path
        assert {h.status for h in site.requests if h.kind == "listing"} == {304}


def test_file_source_and_rerun_reparse(tmp_path, prefect_api, seed_pdf):
    """A local folder of PDFs (air-gapped use): stored once, unchanged files cost nothing,
    a re-parse replaces findings in place."""
    from flows.ingest import rerun

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for prefix in ("000", "001", "002"):
        (inbox / f"{prefix}.pdf").write_bytes(seed_pdf(prefix))
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00" * 100 + b"\n%%EOF\n")
    config = tmp_path / "jtai-watch.yaml"
    config.write_text(
        "state: {url: 'sqlite:///state/db.sqlite', blobs: state/blobs}\nparse: {backend: pypdfium2}\n"
        "sources:\n  - {name: inbox, kind: file, url: inbox}\n",
        encoding="utf-8",
    )
    from flows.ingest import ingest

    first = ingest(config_path=str(config))
    assert first["new_documents"] == 3 and first["parsed"] == 3
    assert [(f["stage"], f["url"].rsplit("/", 1)[-1]) for f in first["failed"]] == [("parse", "broken.pdf")]
    second = ingest(config_path=str(config))
    assert second["not_modified"] == 3 and second["parsed"] == 0
    assert [f["stage"] for f in second["failed"]] == ["parse"]  # tried again, still broken
    env = IngestEnv(None, config)  # type: ignore[arg-type]
    url = (inbox / "000.pdf").resolve().as_uri()
    doc = env.document(url)
    out = rerun(config_path=str(config), document=url, reparse=True)
    assert out["parsed"] == 1 and out["version_id"] == doc.current_version_id
    assert out["diff"]["added"] == 51  # its first version: nothing earlier to compare with
    env.check_consistent()
    assert env.count(Version) == 4


def test_run_artifact_summarises_without_secrets(tmp_path, prefect_api, seed_pdf, monkeypatch):
    from prefect.client.orchestration import get_client

    from flows.ingest import ingest

    monkeypatch.setenv("HOOK_TOKEN", "s3cr3t-token-value")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "islington.pdf").write_bytes(seed_pdf("000"))
    config = tmp_path / "jtai-watch.yaml"
    config.write_text(
        "state: {url: 'sqlite:///state/db.sqlite', blobs: state/blobs}\nparse: {backend: pypdfium2}\n"
        "sources:\n  - {name: inbox, kind: file, url: inbox}\n"
        "subscribers:\n  - {name: ops, notify: ['json://127.0.0.1:9/hook?token=${HOOK_TOKEN}'], watches: [{areas: [Islington]}]}\n",
        encoding="utf-8",
    )
    summary = ingest(config_path=str(config))
    assert summary["new_documents"] == 1
    with get_client(sync_client=True) as client:
        artifacts = [a for a in client.read_artifacts() if a.key == "ingest-summary"]
        runs = client.read_flow_runs()
    body = next(a.data for a in artifacts if str(a.flow_run_id) == summary["run_id"])
    assert "| new document | jtai_letter | Islington |" in body
    for text in [a.data for a in artifacts] + [json.dumps(r.parameters) for r in runs]:
        assert "s3cr3t-token-value" not in text
