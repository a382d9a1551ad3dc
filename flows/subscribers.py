"""Subscribers' watches and notify URLs, validated before anything runs.

Invalid watches (an unknown area or theme, a bad kind or section) and notify URLs apprise
cannot read become :class:`ConfigError` naming the field, so ``jtai-watch run`` exits 2 with
one line and nothing is fetched or sent. URLs are never echoed: they may hold secrets.
"""

from __future__ import annotations

from flows.config import Config, ConfigError
from parsers.gazetteer import Gazetteer
from parsers.themes import Taxonomy
from parsers.watches import WatchError, WatchSet, compile_watches


def taxonomy_for(config: Config) -> Taxonomy:
    tax = Taxonomy.default()
    return tax.with_extra([t.model_dump() for t in config.themes]) if config.themes else tax


def compile_subscriber_watches(config: Config) -> WatchSet:
    from tasks.notify import valid_notify_url

    for i, sub in enumerate(config.subscribers):
        for j, url in enumerate(sub.notify):
            if not valid_notify_url(url):
                scheme = url.split("://", 1)[0] if "://" in url else "?"
                raise ConfigError(f"subscribers[{i}].notify[{j}]: not a notification URL apprise can use (scheme {scheme!r})")
    try:
        return compile_watches(config.subscribers, gazetteer=Gazetteer.default(), taxonomy=taxonomy_for(config))
    except WatchError as exc:
        raise ConfigError(str(exc)) from None
