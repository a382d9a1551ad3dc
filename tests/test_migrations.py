"""Migrations: an old store is upgraded in place and keeps its data; the models match the
latest migration exactly."""

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from state.db import _alembic_config, current_revision, head_revision, make_engine, open_store
from state.models import Base
from tests.support.stores import BACKENDS, store_url


@pytest.mark.parametrize("backend", BACKENDS)
def test_old_store_is_upgraded_keeping_its_data(backend, tmp_path):
    with store_url(backend, tmp_path) as url:
        engine = make_engine(url)
        cfg = _alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO sources (name, kind, url, created_at) VALUES ('a', 'feed', 'https://x', CURRENT_TIMESTAMP)"))
        assert current_revision(engine) == "0001"
        assert "subscribers" not in inspect(engine).get_table_names()
        engine.dispose()
        engine = open_store(url)  # what `jtai-watch init` and every run do
        assert current_revision(engine) == head_revision() == "0003"
        assert "subscribers" in inspect(engine).get_table_names()
        assert {"claimed_by", "delivered_to"} <= {c["name"] for c in inspect(engine).get_columns("alert_outbox")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM sources")).scalar() == "a"
        engine.dispose()


@pytest.mark.parametrize("backend", BACKENDS)
def test_models_match_migrations(backend, tmp_path):
    with store_url(backend, tmp_path) as url:
        engine = open_store(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        engine.dispose()
    assert diff == []
