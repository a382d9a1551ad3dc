"""The store on real SQLite and real PostgreSQL: one transaction per version, idempotent
writes, diff bases, concurrent writers."""

import hashlib
import threading

import pytest
from sqlalchemy import func, select

from parsers.api import parse_text
from parsers.diff import diff_findings
from parsers.version import PARSER_VERSION
from state.blobs import BlobStore
from state.db import current_revision, head_revision, open_store
from state.models import Diff, Document, Finding, FindingChange, Version
from state.repo import Store
from tests.support.stores import BACKENDS, store_url


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with store_url(request.param, tmp_path) as url:
        engine = open_store(url)
        yield Store(engine, BlobStore(tmp_path / "blobs"))
        engine.dispose()


@pytest.fixture(scope="module")
def letters(seed_text):
    return {p: parse_text(seed_text(p)) for p in ("000", "001", "004")}


def put(store, doc_id, parsed, body=None, etag=None):
    body = body or parsed.title.encode() + parsed.findings[0].text.encode()
    sha = store.blobs.put(body)
    return store.store_version(
        doc_id, sha256=sha, size=len(body), content_type="application/pdf", etag=etag, last_modified=None,
        parsed=parsed, parse_error=None, parse_error_code=None, parser_version=PARSER_VERSION, diff=diff_findings,
    )


def count(store, model):
    from sqlalchemy.orm import Session

    with Session(store.engine) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_schema_at_head(store):
    assert current_revision(store.engine) == head_revision() == "0003"


def test_first_version_findings_and_validators(store, letters):
    src = store.ensure_source("ofsted", "ofsted_search", "https://x")
    ref = store.upsert_listed(src, "https://files/islington.pdf", label="JTAI", area_ons="E09000019")
    assert ref.is_new and ref.etag is None
    out = put(store, ref.id, letters["000"], etag='"abc"')
    assert out.new_version and out.new_document and out.basis == "none"
    assert count(store, Finding) == len(letters["000"].findings) == 51
    again = store.upsert_listed(src, "https://files/islington.pdf")
    assert not again.is_new and again.etag == '"abc"' and again.current_sha256
    # The same body again: nothing new, nothing duplicated.
    out2 = put(store, ref.id, letters["000"], etag='"abc"')
    assert not out2.new_version and out2.version_id == out.version_id
    assert count(store, Version) == 1 and count(store, Finding) == 51


def test_new_version_diffs_against_previous(store, letters):
    src = store.ensure_source("s", "file", "/x")
    ref = store.upsert_listed(src, "file:///cornwall.pdf")
    first = put(store, ref.id, letters["001"], body=b"v1")
    edited = parse_text(_edit_first_strength(letters["001"]))
    second = put(store, ref.id, edited, body=b"v2")
    assert second.new_version and not second.new_document and second.basis == "previous_version"
    assert second.diff_summary["changed"] == 1
    d, changes = store.diff_of(second.version_id)
    assert d.base_version_id == first.version_id
    assert [(c.kind, c.section) for c in changes] == [("changed", "strength")]
    assert "NEWLY EDITED" in changes[0].new_text


def _edit_first_strength(doc):
    from tests.support.corpus import seed_path

    text = seed_path("001").read_text(encoding="utf-8")
    first = doc.findings_in("strength")[0].text.split(". ")[0]
    return text.replace(first, first + " NEWLY EDITED", 1)


def test_new_document_diffs_against_area_previous(store, letters):
    src = store.ensure_source("s", "file", "/x")
    older = store.upsert_listed(src, "file:///islington-2019.pdf")
    put(store, older.id, letters["000"], body=b"a")
    newer = store.upsert_listed(src, "file:///islington-2023.pdf")
    doc = parse_text(_retitle(letters))
    out = put(store, newer.id, doc, body=b"b")
    assert out.new_document and out.basis == "area_previous"
    assert out.diff_summary["unchanged"] == 51


def _retitle(letters):
    from tests.support.corpus import seed_path

    return seed_path("000").read_text(encoding="utf-8").replace("29 January 2019", "29 January 2023", 1)


def test_unlisted_documents_are_kept(store, letters):
    src = store.ensure_source("s", "file", "/x")
    a = store.upsert_listed(src, "file:///a.pdf")
    store.upsert_listed(src, "file:///b.pdf")
    put(store, a.id, letters["000"])
    assert store.mark_unlisted(src, ["file:///b.pdf"]) == 1
    assert count(store, Document) == 2 and count(store, Finding) == 51
    assert store.upsert_listed(src, "file:///a.pdf").current_sha256  # listed again, nothing lost


def test_concurrent_writers_store_one_version(store, letters):
    src = store.ensure_source("s", "file", "/x")
    ref = store.upsert_listed(src, "file:///same.pdf")
    body = b"the same body"
    sha = hashlib.sha256(body).hexdigest()
    store.blobs.put(body)
    results, errors = [], []

    def worker():
        try:
            results.append(
                store.store_version(
                    ref.id, sha256=sha, size=len(body), content_type=None, etag=None, last_modified=None,
                    parsed=letters["004"], parse_error=None, parse_error_code=None, parser_version=PARSER_VERSION,
                    diff=diff_findings,
                )
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert len({r.version_id for r in results}) == 1
    assert sum(r.new_version for r in results) == 1
    assert count(store, Version) == 1 and count(store, Diff) == 1
    assert count(store, Finding) == len(letters["004"].findings)


def test_parse_failure_is_recorded_and_retried(store):
    src = store.ensure_source("s", "file", "/x")
    ref = store.upsert_listed(src, "file:///broken.pdf")
    sha = store.blobs.put(b"%PDF-1.4 broken")
    out = store.store_version(
        ref.id, sha256=sha, size=15, content_type=None, etag='"e1"', last_modified=None, parsed=None,
        parse_error="corrupt PDF: no pages found", parse_error_code="corrupt", parser_version=PARSER_VERSION,
        diff=diff_findings,
    )
    doc = store.find_document(str(ref.id))
    assert doc.last_status == "failed" and doc.last_stage == "parse" and doc.etag is None  # re-download next run
    assert store.version_for(ref.id, sha)[1] == "corrupt"
    assert out.new_version


def test_findings_query(store, letters):
    src = store.ensure_source("s", "file", "/x")
    for i, p in enumerate(("000", "001", "004")):
        put(store, store.upsert_listed(src, f"file:///{p}.pdf").id, letters[p], body=p.encode())
    rows = store.query_findings(area="E09000019", section="area_for_improvement")
    assert len(rows) == 16
    rows = store.query_findings(theme="intermediaries")
    assert {v.area_name for _, v, _ in rows} >= {"Islington"}
    assert all("intermediaries" in f.themes for f, _, _ in rows)
    from datetime import date

    assert {v.area_name for _, v, _ in store.query_findings(since=date(2019, 1, 1))} == {"Islington", "Shropshire"}
    assert count(store, FindingChange) >= 0
