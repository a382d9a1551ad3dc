"""Alert flows: ``deliver`` (send due immediate alerts — the retries) and ``digest`` (one
message per daily or weekly subscriber), plus the alert stage the ingest, rerun and
backfill flows end with.

Like every flow here they take the config *path*: notify URLs and their passwords are read
in the worker, never passed as Prefect parameters, and no flow returns or logs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Literal

from prefect import flow, get_run_logger
from sqlalchemy import Engine

from flows.config import Config, load_config
from flows.subscribers import compile_subscriber_watches
from parsers.gazetteer import Gazetteer
from parsers.watches import WatchSet
from state.db import open_store
from state.outbox import Outbox
from tasks.alerting import queue_alerts
from tasks.notify import DeliveryPolicy, DeliverySummary, Mode, deliver


def policy_of(config: Config) -> DeliveryPolicy:
    d = config.delivery
    return DeliveryPolicy(max_attempts=d.max_attempts, backoff=timedelta(seconds=d.backoff_s), per_host=d.per_host_concurrency)


def notify_map(config: Config) -> dict[str, list[str]]:
    return {s.name: list(s.notify) for s in config.subscribers}


def subscribers_in(config: Config, mode: Mode) -> list[str]:
    return [s.name for s in config.subscribers if s.digest == mode]


def send_due(engine: Engine, config: Config, mode: Mode, *, dry_run: bool = False) -> DeliverySummary:
    """Send what is due to the subscribers of ``mode`` (immediate, daily or weekly)."""
    return deliver(
        Outbox(engine), notify_map(config), subscribers=subscribers_in(config, mode), mode=mode,
        dry_run=dry_run, policy=policy_of(config),
    )


def alert_stage(
    engine: Engine,
    config: Config,
    watches: WatchSet | None,
    news: Sequence[tuple[int, str]],
    gazetteer: Gazetteer,
    *,
    history: Sequence[tuple[int, str]] = (),
    dry_run: bool = False,
) -> dict[str, int]:
    """Match ``news`` — (version id, "new_document" | "new_version") — against every watch,
    queue each alert once, and send the immediate ones now. Daily and weekly subscribers'
    alerts wait in the outbox for their digest. ``history`` is matched as explicitly asked
    for (backfill and rerun ``--notify``): it also reaches subscribers added after the
    document was first seen. Alerts still due from earlier runs (their receiver was down)
    go out here too."""
    out = {"alerts_queued": 0, "alerts_sent": 0, "alerts_failed": 0}
    if watches is None or dry_run or not config.subscribers:
        return out
    outbox = Outbox(engine)
    names = [s.name for s in config.subscribers]
    out["alerts_queued"] = queue_alerts(
        engine, outbox, news, history=history, watches=watches, subscriber_names=names, gazetteer=gazetteer
    )
    sent = send_due(engine, config, "immediate")
    out["alerts_sent"] = sent.sent
    out["alerts_failed"] = sent.failed + sent.retrying
    return out


def _summary(mode: str, summary: DeliverySummary, dry_run: bool, due: int) -> dict[str, Any]:
    return {
        "mode": mode, "dry_run": dry_run, "due": due, "alerts_sent": summary.sent,
        "alerts_retrying": summary.retrying, "alerts_failed": summary.failed, "messages": summary.messages,
    }


def _run(config_path: str, mode: Mode, dry_run: bool) -> dict[str, Any]:
    config = load_config(config_path)
    if config.subscribers:
        compile_subscriber_watches(config)  # a bad notify URL fails here, naming the field
    engine = open_store(config.state_url)
    try:
        outbox = Outbox(engine)
        names = subscribers_in(config, mode)
        outbox.sync_subscribers([s.name for s in config.subscribers])
        due = outbox.count_due(names)
        summary = send_due(engine, config, mode, dry_run=dry_run)
    finally:
        engine.dispose()
    result = _summary(mode, summary, dry_run, due)
    get_run_logger().info(
        "%s: %d due, %d sent, %d to retry, %d failed, %d messages%s", mode, due, summary.sent, summary.retrying,
        summary.failed, summary.messages, " (dry run: nothing sent)" if dry_run else "",
    )
    return result


@flow(name="deliver", persist_result=False)
def deliver_flow(config_path: str, dry_run: bool = False) -> dict[str, Any]:
    """Send the immediate subscribers' due alerts: those whose receiver was down at the end
    of a run, once their backoff has passed."""
    return _run(config_path, "immediate", dry_run)


@flow(name="digest", persist_result=False)
def digest_flow(config_path: str, period: Literal["daily", "weekly"] = "daily", dry_run: bool = False) -> dict[str, Any]:
    """One message per URL to every ``period`` subscriber, gathering all their due alerts."""
    if period not in ("daily", "weekly"):
        raise ValueError(f"period must be daily or weekly, not {period!r}")
    return _run(config_path, period, dry_run)
