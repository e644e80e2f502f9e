"""The compiled feature query is kept on disk, keyed so that it is never stale."""

from __future__ import annotations

import dataclasses

from creditscore.features import FEATURES, _engine
from creditscore.records import load_catalogue


def test_the_compiled_query_is_stored_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDITSCORE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_engine, "_SQL_CACHE", {})
    sql = _engine.compile_sql(load_catalogue(), FEATURES)
    [stored] = (tmp_path / "sql").glob("features-*.sql")
    assert stored.read_text() == sql
    stored.write_text("-- reused\n" + sql)
    monkeypatch.setattr(_engine, "_SQL_CACHE", {})
    assert _engine.compile_sql(load_catalogue(), FEATURES).startswith("-- reused")


def test_another_catalogue_gets_another_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDITSCORE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_engine, "_SQL_CACHE", {})
    catalogue = load_catalogue()
    _engine.compile_sql(catalogue, FEATURES)
    other = dataclasses.replace(catalogue, version="other")
    _engine.compile_sql(other, FEATURES)
    assert len(list((tmp_path / "sql").glob("features-*.sql"))) == 2


def test_a_custom_feature_list_is_not_cached_on_disk(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDITSCORE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(_engine, "_SQL_CACHE", {})
    _engine.compile_sql(load_catalogue(), FEATURES[:3])
    assert not (tmp_path / "sql").exists()
