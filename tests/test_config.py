"""Config loading: defaults, ${ENV} expansion, one clear message per invalid field."""

import pytest

from flows.config import STARTER_CONFIG, ConfigError, load_config, parse_config


def write(tmp_path, text):
    p = tmp_path / "jtai-watch.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_starter_config_is_valid_and_paths_resolve(tmp_path):
    cfg = load_config(write(tmp_path, STARTER_CONFIG))
    assert cfg.sources[0].kind == "ofsted_search"
    assert cfg.state_url == f"sqlite:///{(tmp_path / 'state' / 'jtai-watch.db').resolve()}"
    assert cfg.blobs_dir == tmp_path / "state" / "blobs"
    assert (cfg.schedule.cron, cfg.schedule.timezone) == ("0 7 * * *", "Europe/London")


def test_env_expansion_and_missing_variable(tmp_path):
    text = "subscribers:\n  - name: a\n    notify: ['json://${HOOK_HOST}/hook', 'mailto://u:${SMTP_PASSWORD}@x']\n"
    cfg = load_config(write(tmp_path, text), env={"HOOK_HOST": "127.0.0.1:9000", "SMTP_PASSWORD": "s3cret"})
    assert cfg.subscribers[0].notify == ["json://127.0.0.1:9000/hook", "mailto://u:s3cret@x"]
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text), env={"HOOK_HOST": "h"})
    assert str(exc.value).endswith("subscribers[0].notify[1]: environment variable SMTP_PASSWORD is not set")
    assert "s3cret" not in str(exc.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("sources:\n  - {name: a, kind: htm_index, url: 'https://x'}\n", "sources[0].kind: unknown source kind 'htm_index'"),
        ("sources:\n  - {name: a, kind: feed, url: 'ftp://x'}\n", "sources[0]: url: 'ftp://x' is not an http(s) URL"),
        ("sources:\n  - {name: a, kind: html_index, url: 'https://x', link_pattern: '('}\n", "sources[0].link_pattern: not a valid regular expression"),
        ("sources:\n  - {name: a, kind: feed, url: 'https://x'}\n  - {name: a, kind: feed, url: 'https://y'}\n", "sources[1].name: duplicate source name 'a'"),
        ("http: {per_host_concurrency: 0}\n", "http.per_host_concurrency: Input should be greater than or equal to 1"),
        ("schedule: {cron: 'daily'}\n", "schedule.cron: not a cron expression"),
        ("schedule: {timezone: 'Mars/Olympus'}\n", "schedule.timezone: unknown time zone 'Mars/Olympus'"),
        ("delivery: {weekly_cron: 'mondays'}\n", "delivery.weekly_cron: not a cron expression"),
        ("delivery: {max_attempts: 0}\n", "delivery.max_attempts: Input should be greater than or equal to 1"),
        ("state: {url: x, colour: red}\n", "state.colour: unknown setting"),
        ("sources: [\n", "not valid YAML at line"),
        ("- just a list\n", "the config must be a mapping"),
    ],
)
def test_invalid_config_names_the_field(tmp_path, text, message):
    with pytest.raises(ConfigError) as exc:
        load_config(write(tmp_path, text))
    msg = str(exc.value)
    assert message in msg
    assert msg.startswith(str(tmp_path / "jtai-watch.yaml"))
    assert "\n" not in msg


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.yaml")


def test_parse_config_defaults():
    cfg = parse_config({})
    assert cfg.sources == [] and cfg.subscribers == []
    assert cfg.parse.backend == "pdfminer"


def test_delivery_defaults():
    d = parse_config({}).delivery
    assert (d.max_attempts, d.backoff_s, d.per_host_concurrency) == (5, 60, 4)
    assert (d.retry_cron, d.daily_cron, d.weekly_cron) == ("*/15 * * * *", "0 8 * * *", "0 8 * * 1")


def test_readme_subscriber_example_is_valid(tmp_path):
    """The config example in the README's Alerts section loads and compiles."""
    from pathlib import Path

    from flows.subscribers import compile_subscriber_watches

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = readme.split("```yaml\nsubscribers:", 1)[1].split("```", 1)[0]
    env = {"SMTP_PASSWORD": "pw", "SLACK_TOKEN_A": "T1JJ3T3L2", "SLACK_TOKEN_B": "A1BRTD4JD", "SLACK_TOKEN_C": "TIiajkdnlazkcOXrIdevi7FQ"}
    cfg = load_config(write(tmp_path, "subscribers:" + block), env=env)
    assert [s.digest for s in cfg.subscribers] == ["immediate"]
    assert len(cfg.subscribers[0].watches) == 3
    assert compile_subscriber_watches(cfg) is not None
