"""`jtai-watch parse`: the contract's JSON, errors and exit codes, through the real script."""

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "parse", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def islington_pdf(tmp_path_factory, seed_pdf):
    path = tmp_path_factory.mktemp("docs") / "islington-jtai.pdf"
    path.write_bytes(seed_pdf("000"))
    return path


def test_parse_json_letter(islington_pdf):
    res = run(str(islington_pdf), "--json", "--backend", "pypdfium2")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["kind"] == "jtai_letter"
    assert doc["area"] == {"name": "Islington", "ons_code": "E09000019", "ofsted_urn": "80505"}
    assert doc["published"] == "2019-01-29"
    assert doc["inspection"] == {"start": "2018-12-03", "end": "2018-12-07"}
    assert doc["deadlines"] == [{"what": "written statement of action", "due": "2019-05-10"}]
    assert sum(1 for f in doc["findings"] if f["section"] == "strength") == 32
    assert doc["pages"] == 13


def test_parse_human_output(islington_pdf):
    res = run(str(islington_pdf))
    assert res.returncode == 0, res.stderr
    assert "Joint targeted area inspection" in res.stdout
    assert "Islington (E09000019, URN 80505)" in res.stdout
    assert "written statement of action: 2019-05-10" in res.stdout


def test_parse_text_file(tmp_path, seed_text):
    path = tmp_path / "cornwall.txt"
    path.write_text(seed_text("001"), encoding="utf-8")
    res = run(str(path), "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["area"]["name"] == "Cornwall"
    assert sum(1 for f in doc["findings"] if f["section"] == "area_for_improvement") == 24


def test_html_served_as_pdf(ofsted_dir):
    path = ofsted_dir / "80429-birmingham-19-october-2012.pdf"
    res = run(str(path), "--json")
    assert res.returncode == 0
    assert json.loads(res.stdout) == {
        "error": 'not a PDF: the server sent an HTML page (title "Report not found - Find an Inspection Report - Ofsted")',
        "code": "not_a_pdf",
        "kind": None,
    }
    res = run(str(path))
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.strip().endswith('not a PDF: the server sent an HTML page (title "Report not found - Find an Inspection Report - Ofsted")')
    assert len(res.stderr.strip().splitlines()) == 1


def test_limits_and_usage(islington_pdf, tmp_path):
    res = run(str(islington_pdf), "--max-pages", "5", "--json")
    assert json.loads(res.stdout)["code"] == "too_many_pages"
    res = run(str(islington_pdf), "--max-mb", "0.01")
    assert res.returncode == 1 and "over the" in res.stderr
    res = run(str(tmp_path / "missing.pdf"))
    assert res.returncode == 2 and "no such file" in res.stderr
    res = run(str(islington_pdf), "--backend", "nope")
    assert res.returncode == 2 and "--backend" in res.stderr


def test_parse_url_from_local_server(islington_pdf):
    import http.server
    import threading
    from functools import partial

    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(islington_pdf.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        res = run(f"{base}/{islington_pdf.name}", "--json", "--backend", "pypdfium2")
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["area"]["name"] == "Islington"
        res = run(f"{base}/missing.pdf", "--json")
        assert json.loads(res.stdout)["code"] == "http_404"
    finally:
        server.shutdown()
