"""The operator's commands through the real `jtai-watch` script: init, run --json,
findings, diff, rerun; bad config exits 2; a run killed with SIGKILL is finished by the
next one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from state.models import Version
from tests.support.ingest_env import IngestEnv, write_config
from tests.support.ofsted_site import OfstedSite

SCRIPT = shutil.which("jtai-watch") or str(Path(sys.executable).with_name("jtai-watch"))


def cli(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_HOME": str(cwd / ".prefect")}
    env.pop("PREFECT_API_URL", None)
    return subprocess.run([SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def site():
    with OfstedSite.from_corpus() as s:
        yield s


def test_init_run_findings_diff_rerun(tmp_path, site, seed_text):
    res = cli("init", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "schema 0003" in res.stdout and (tmp_path / "jtai-watch.yaml").exists()
    write_config(tmp_path, site, "sqlite:///state/jtai-watch.db")
    res = cli("run", "--json", "--source", "ofsted", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    summary = json.loads(res.stdout)
    assert set(summary) >= {"run_id", "sources", "discovered", "fetched", "not_modified", "new_documents",
                            "new_versions", "parsed", "failed", "alerts_queued", "alerts_sent", "alerts_failed", "seconds"}
    assert summary["sources"] == 1 and summary["new_documents"] == 51 and len(summary["failed"]) == 1
    assert "Traceback" not in res.stderr, res.stderr[:3000]

    res = cli("findings", "--area", "Islington", "--section", "area_for_improvement", "--format", "json", cwd=tmp_path)
    rows = json.loads(res.stdout)
    jtai = [r for r in rows if r["kind"] == "jtai_letter"]
    assert len(jtai) == 16 and jtai[0]["area"] == "Islington" and jtai[0]["published"] == "2019-01-29"
    res = cli("findings", "--theme", "ABE", "--format", "csv", cwd=tmp_path)
    assert res.returncode == 0 and "police investigations" in res.stdout
    res = cli("findings", "--area", "Islingtn", cwd=tmp_path)
    assert res.returncode == 2 and "did you mean Islington" in res.stderr

    url = site.file_url(site.jtai_doc_ids["80505"])
    res = cli("diff", url, "--json", cwd=tmp_path)
    d = json.loads(res.stdout)
    assert d["basis"] == "area_previous" or d["basis"] == "none"

    from tests.support.seed_pdfs import render

    site.replace_document(site.jtai_doc_ids["80505"], render(seed_text("000").replace(
        "Midwives providing antenatal care do not regularly offer home visits",
        "Midwives providing antenatal care now offer home visits")))
    res = cli("rerun", url, "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    rerun = json.loads(res.stdout)
    assert rerun["new_versions"] == 1 and rerun["diff"]["changed"] == 1
    res = cli("diff", url, cwd=tmp_path)
    assert "compared with its previous version" in res.stdout
    assert "changed area_for_improvement: Midwives providing antenatal care now offer home visits" in res.stdout
    res = cli("rerun", url, "--reparse", "--json", cwd=tmp_path)
    assert json.loads(res.stdout)["parsed"] == 1


def test_bad_config_exits_2_with_one_line(tmp_path):
    (tmp_path / "jtai-watch.yaml").write_text("sources:\n  - {name: a, kind: htm_index, url: 'https://x'}\n")
    res = cli("run", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        "jtai-watch: jtai-watch.yaml: sources[0].kind: unknown source kind 'htm_index' "
        "(choose one of: ofsted_search, ofsted_provider, html_index, feed, file)"
    ]
    res = cli("run", "--config", str(tmp_path / "none.yaml"), cwd=tmp_path)
    assert res.returncode == 2 and "no such config file" in res.stderr


def test_killed_run_is_finished_by_the_next(tmp_path, site):
    config = write_config(tmp_path, site, "sqlite:///state/jtai-watch.db", backend="pdfminer")
    env = IngestEnv(site, config)
    proc = subprocess.Popen([SCRIPT, "run", "--json"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PREFECT_HOME": str(tmp_path / ".prefect")})
    db = tmp_path / "state" / "jtai-watch.db"
    deadline = time.monotonic() + 240
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if db.exists():
            try:
                stored = env.count(Version)
            except Exception:
                continue
            if stored >= 5:
                break
    assert proc.poll() is None, "the run finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert 5 <= stored < 52
    env.check_consistent()
    res = cli("run", "--json", cwd=tmp_path, timeout=600)
    assert res.returncode == 0, res.stderr
    env.check_consistent()
    assert env.count(Version) == 52


@pytest.mark.parametrize(
    "subscriber, message",
    [
        ("{name: a, notify: ['json://127.0.0.1:9/h'], watches: [{areas: [Islingtn]}]}", "subscribers[0].watches[0].areas: unknown area 'Islingtn' (did you mean Islington"),
        ("{name: a, notify: ['json://127.0.0.1:9/h'], watches: [{themes: [harmfull sexual behaviour]}]}", "subscribers[0].watches[0].themes: unknown theme"),
        ("{name: a, notify: ['nosuchscheme://x'], watches: [{areas: [Islington]}]}", "subscribers[0].notify[0]: not a notification URL apprise can use (scheme 'nosuchscheme')"),
        ("{name: a, notify: ['mailtos://u:${NOPE_SECRET}@x.org'], watches: [{areas: [Islington]}]}", "subscribers[0].notify[0]: environment variable NOPE_SECRET is not set"),
    ],
)
def test_bad_subscriber_config_exits_2(tmp_path, subscriber, message):
    (tmp_path / "jtai-watch.yaml").write_text(f"subscribers:\n  - {subscriber}\n", encoding="utf-8")
    res = cli("run", cwd=tmp_path, timeout=60)
    assert res.returncode == 2, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
