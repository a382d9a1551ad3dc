"""The YAML config: loading, ``${ENV}`` expansion, validation with one clear message.

Validation failures become :class:`ConfigError` whose message names the file and the field
("jtai-watch.yaml: sources[1].kind: unknown source kind 'htm_index' …"); the CLI prints it
and exits 2. Secrets come from ``${ENV}`` references, are expanded in memory only, and are
never written back, logged or passed as Prefect parameters: flows receive the config
*path* and load it themselves.

Relative paths (the SQLite file, the blob folder, ``file`` sources) are resolved against
the config file's folder, so a config works wherever it is run from.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

SOURCE_KINDS = ("ofsted_search", "ofsted_provider", "html_index", "feed", "file")
DEFAULT_CONFIG_NAME = "jtai-watch.yaml"
_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class ConfigError(Exception):
    """An invalid config; ``str()`` is one line naming the field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StateConfig(_Model):
    url: str = "sqlite:///state/jtai-watch.db"
    blobs: str = "state/blobs"


class ScheduleConfig(_Model):
    cron: str = "0 7 * * *"
    timezone: str = "Europe/London"

    @field_validator("cron")
    @classmethod
    def _cron(cls, v: str) -> str:
        return _check_cron(v)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r} (e.g. Europe/London)") from None
        return v


class HttpConfig(_Model):
    user_agent: str = "jtai-watch/0.1 (+https://github.com/jtai-watch/jtai-watch)"
    per_host_concurrency: int = Field(2, ge=1, le=16)
    timeout_s: float = Field(30, gt=0, le=600)
    max_document_mb: float = Field(50, gt=0, le=2048)
    retries: int = Field(3, ge=0, le=10)
    backoff_base_s: float = Field(0.5, ge=0, le=60)
    # A document whose listing page is unchanged (304) is re-checked with a conditional
    # request only when its last check is older than this; 0 checks every document every run.
    revalidate_after_hours: float = Field(168, ge=0)


def _check_cron(v: str) -> str:
    if len(v.split()) not in (5, 6):
        raise ValueError(f"not a cron expression: {v!r} (five fields, e.g. '0 7 * * *')")
    return v


class DeliveryConfig(_Model):
    """How alerts go out. Immediate alerts are sent at the end of each run and, for the
    ones whose receiver was down, by the ``deliver`` flow on ``retry_cron``; daily and
    weekly subscribers get one digest on ``daily_cron`` / ``weekly_cron`` (in the
    schedule's time zone)."""

    max_attempts: int = Field(5, ge=1, le=50)
    backoff_s: float = Field(60, ge=0, le=86400)  # doubles after each failed attempt
    per_host_concurrency: int = Field(4, ge=1, le=32)
    retry_cron: str = "*/15 * * * *"
    daily_cron: str = "0 8 * * *"
    weekly_cron: str = "0 8 * * 1"

    @field_validator("retry_cron", "daily_cron", "weekly_cron")
    @classmethod
    def _crons(cls, v: str) -> str:
        return _check_cron(v)


class ParseConfig(_Model):
    backend: Literal["pdfminer", "pypdfium2"] = "pdfminer"
    max_pages: int = Field(400, ge=1)
    timeout_s: float = Field(120, gt=0)
    workers: int | None = Field(None, ge=1, le=64)


class SourceConfig(_Model):
    """One place to watch. ``labels`` (Ofsted) and ``link_pattern`` (html_index) filter what
    is taken; ``area`` ties a board's page to its local authority."""

    name: str = Field(min_length=1, max_length=100)
    kind: str
    url: str
    area: str | None = None
    link_pattern: str | None = None
    labels: list[str] | None = None
    rows: int = Field(100, ge=1, le=1000)
    enabled: bool = True
    # Alert on what this source lists in its baseline run too (normally the baseline is
    # history and alerts no one). For a source whose every document is news to you.
    notify_history: bool = False

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in SOURCE_KINDS:
            raise ValueError(f"unknown source kind {v!r} (choose one of: {', '.join(SOURCE_KINDS)})")
        return v

    @field_validator("link_pattern")
    @classmethod
    def _pattern(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return v

    @model_validator(mode="after")
    def _url_scheme(self) -> SourceConfig:
        if self.kind == "file":
            if self.url.startswith(("http://", "https://")):
                raise ValueError("url: a file source needs a folder path or file:// URL")
        elif not self.url.startswith(("http://", "https://", "file://")):
            raise ValueError(f"url: {self.url!r} is not an http(s) URL")
        return self


class WatchConfig(_Model):
    areas: list[str] | None = None
    themes: list[str] | None = None
    phrases: list[str] | None = None
    kinds: list[str] | None = None
    sections: list[str] | None = None


class SubscriberConfig(_Model):
    name: str = Field(min_length=1)
    notify: list[str] = Field(default_factory=list)
    digest: Literal["immediate", "daily", "weekly"] = "immediate"
    watches: list[WatchConfig] = Field(default_factory=list)


class ThemeConfig(_Model):
    name: str = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)
    acronyms: list[str] = Field(default_factory=list)


class Config(_Model):
    state: StateConfig = StateConfig()
    schedule: ScheduleConfig = ScheduleConfig()
    http: HttpConfig = HttpConfig()
    parse: ParseConfig = ParseConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    sources: list[SourceConfig] = Field(default_factory=list)
    subscribers: list[SubscriberConfig] = Field(default_factory=list)
    themes: list[ThemeConfig] = Field(default_factory=list)

    # Where the config was read from; relative paths resolve against it.
    base_dir: str = "."

    @model_validator(mode="after")
    def _unique_names(self) -> Config:
        seen: set[str] = set()
        for i, s in enumerate(self.sources):
            if s.name in seen:
                raise ValueError(f"sources[{i}].name: duplicate source name {s.name!r}")
            seen.add(s.name)
        return self

    # ----------------------------------------------------------------- resolved paths

    def resolve(self, path: str) -> Path:
        p = Path(path).expanduser()
        return p if p.is_absolute() else (Path(self.base_dir) / p)

    @property
    def state_url(self) -> str:
        """The SQLAlchemy URL, with a relative SQLite path made absolute."""
        url = self.state.url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url.startswith("sqlite:////") and ":memory:" not in url:
            return prefix + str(self.resolve(url[len(prefix):]).resolve())
        return url

    @property
    def blobs_dir(self) -> Path:
        return self.resolve(self.state.blobs)

    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        raise ConfigError(f"no source named {name!r} (configured: {', '.join(s.name for s in self.sources) or 'none'})")


# --------------------------------------------------------------------------- loading


def _expand(value: Any, where: str, env: dict[str, str]) -> Any:
    if isinstance(value, str):
        def sub(m: re.Match[str]) -> str:
            name, default = m.group(1), m.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"{where}: environment variable {name} is not set")

        return _ENV_RE.sub(sub, value)
    if isinstance(value, list):
        return [_expand(v, f"{where}[{i}]", env) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _expand(v, f"{where}.{k}" if where else str(k), env) for k, v in value.items()}
    return value


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def parse_config(data: Any, *, source: str = "config", base_dir: str = ".", env: dict[str, str] | None = None) -> Config:
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the config must be a mapping of sections (state, sources, …)")
    data = _expand(data, "", dict(os.environ) if env is None else env)
    data = {**data, "base_dir": base_dir}
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = _field_path(first.get("loc", ()))
        msg = first.get("msg", "invalid").removeprefix("Value error, ")
        if first.get("type") == "extra_forbidden":
            msg = "unknown setting"
        raise ConfigError(f"{source}: {loc}: {msg}" if loc else f"{source}: {msg}") from None
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def load_config(path: str | os.PathLike[str] | None = None, *, env: dict[str, str] | None = None) -> Config:
    """Read and validate a config file (default ``./jtai-watch.yaml``)."""
    p = Path(path or DEFAULT_CONFIG_NAME)
    if not p.is_file():
        raise ConfigError(f"{p}: no such config file (create one with `jtai-watch init`)")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{p}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from None
    try:
        return parse_config(data, source=str(p), base_dir=str(p.resolve().parent), env=env)
    except ConfigError as exc:
        msg = str(exc)
        raise ConfigError(msg if msg.startswith(str(p)) else f"{p}: {msg}") from None


STARTER_CONFIG = """\
# jtai-watch configuration. Paths are relative to this file.
# Secrets: write ${ENV_VAR} and set the variable; they are never logged.

state:
  url: sqlite:///state/jtai-watch.db    # or postgresql+psycopg://user@host/db
  blobs: state/blobs                    # raw documents, by sha256

schedule: {cron: "0 7 * * *", timezone: Europe/London}

http:
  user_agent: "jtai-watch/0.1 (+https://github.com/jtai-watch/jtai-watch)"
  per_host_concurrency: 2
  timeout_s: 30
  max_document_mb: 50

parse: {backend: pdfminer, max_pages: 400, timeout_s: 120}

sources:
  # Every local authority's children's services page on the Ofsted reports site:
  # JTAI letters and children's services inspections.
  - name: ofsted-la
    kind: ofsted_search
    url: "https://reports.ofsted.gov.uk/search?q=&level_1_types=3&level_2_types%5B%5D=12"
  # A safeguarding partnership's annual reports page:
  # - {name: islington-board, kind: html_index, url: "https://…/annual-reports",
  #    area: Islington, link_pattern: 'annual.*report.*\\.pdf$'}
  # A local folder of PDFs:
  # - {name: inbox, kind: file, url: inbox/}

subscribers: []
  # - name: islington-dcs
  #   notify: ["mailtos://${SMTP_USER}:${SMTP_PASSWORD}@smtp.example.org?to=dcs@example.org"]
  #   digest: immediate
  #   watches:
  #     - {areas: [Islington]}
  #     - {themes: [harmful sexual behaviour], sections: [area_for_improvement]}
"""
