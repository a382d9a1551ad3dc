"""The alert commands' usage errors, and the deployments ``serve`` registers: which flows,
on which crons, and with parameters that carry the config's path but never its secrets."""

from __future__ import annotations

import pytest

from flows.cli import deployments_for
from flows.config import load_config
from tests.test_cli_ingest import cli

HOOK_TOKEN = "hook-token-4471"


def _config(tmp_path, modes: tuple[str, ...]):
    subs = "".join(
        f"  - {{name: s{i}, digest: {mode}, notify: ['json://127.0.0.1:9/${{HOOK_TOKEN}}'], watches: [{{areas: [Islington]}}]}}\n"
        for i, mode in enumerate(modes)
    )
    text = "schedule: {cron: '30 6 * * *', timezone: Europe/London}\ndelivery: {weekly_cron: '0 9 * * 5'}\n"
    path = tmp_path / "jtai-watch.yaml"
    path.write_text(text + (f"subscribers:\n{subs}" if subs else ""), encoding="utf-8")
    return load_config(path, env={"HOOK_TOKEN": HOOK_TOKEN}), str(path)


def _crons(deployment) -> list[str]:
    return [s.schedule.cron for s in deployment.schedules]


def test_serve_registers_ingest_retries_and_only_the_digests_in_use(tmp_path):
    cfg, path = _config(tmp_path, ("immediate", "weekly", "weekly"))
    deps = {d.name: d for d in deployments_for(cfg, path)}
    assert list(deps) == ["jtai-watch-ingest", "jtai-watch-deliver", "jtai-watch-digest-weekly"]
    assert _crons(deps["jtai-watch-ingest"]) == ["30 6 * * *"]
    assert _crons(deps["jtai-watch-deliver"]) == ["*/15 * * * *"]
    assert _crons(deps["jtai-watch-digest-weekly"]) == ["0 9 * * 5"]
    assert all(s.schedule.timezone == "Europe/London" for d in deps.values() for s in d.schedules)
    assert deps["jtai-watch-digest-weekly"].parameters == {"config_path": path, "period": "weekly"}
    for d in deps.values():
        assert d.parameters["config_path"] == path
        assert HOOK_TOKEN not in repr(d.parameters)


def test_serve_without_subscribers_registers_ingest_only(tmp_path):
    cfg, path = _config(tmp_path, ())
    assert [d.name for d in deployments_for(cfg, path)] == ["jtai-watch-ingest"]
    cfg, path = _config(tmp_path, ("daily",))
    assert [d.name for d in deployments_for(cfg, path)] == ["jtai-watch-ingest", "jtai-watch-digest-daily"]


@pytest.mark.parametrize(
    "args, message",
    [
        (("backfill", "--notify", "--since", "2019-13-01"), "--since: not a date: '2019-13-01' (YYYY-MM-DD)"),
        (("digest", "--period", "monthly"), "--period: choose daily or weekly (not 'monthly')"),
    ],
)
def test_alert_commands_usage_errors_exit_2(tmp_path, args, message):
    res = cli(*args, cwd=tmp_path, timeout=60)
    assert res.returncode == 2, (res.stdout, res.stderr)
    assert message in res.stderr
    assert not (tmp_path / "state").exists()  # refused before opening (or creating) a store


def test_prefect_yaml_deployments_point_at_real_flows():
    """Each deployment in deployments/prefect.yaml names a flow that exists, with parameters
    that flow takes, and none that could hold a secret."""
    import importlib
    from pathlib import Path

    import yaml
    from prefect import Flow

    spec = yaml.safe_load((Path(__file__).resolve().parents[1] / "deployments" / "prefect.yaml").read_text())
    names = []
    for d in spec["deployments"]:
        module, attr = d["entrypoint"].split(":")
        flow = getattr(importlib.import_module(module.removesuffix(".py").replace("/", ".")), attr)
        assert isinstance(flow, Flow), d["name"]
        assert set(d.get("parameters", {})) <= set(flow.parameters.properties), d["name"]
        assert "config_path" in d["parameters"]
        names.append(d["name"])
    assert names == ["jtai-watch-ingest", "jtai-watch-rerun", "jtai-watch-backfill", "jtai-watch-deliver",
                     "jtai-watch-digest-daily", "jtai-watch-digest-weekly"]
