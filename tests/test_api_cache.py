"""The per-worker answer cache (api/cache.py): hits are exactly the uncached answer; any
write — through this process at once, through another process within
``api_cache_check_ms`` — makes the next answer fresh; roles never share entries;
authentication and rate limits still apply to hits; errors are not cached; the LRU keeps
its bounds; metrics count hits and misses. The generation comes from the engine
(``Store.data_version``), checked here on both engines."""

from __future__ import annotations

import gzip
import time
from collections.abc import Hashable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from api import cache as api_cache
from api.app import create_app
from api.cache import Body, ResponseCache, accepts_gzip, send
from graph.store import Store
from graph.writes import merge_nodes, node_row
from tests.api_support import auth, make_app, make_settings, new_token, revoked_token
from tests.queries_sample import build_sample, merge_from_another_process

CHAINS = "/api/v1/chains"
RECS = "/api/v1/recommendations/partners"


@pytest.fixture
def sample(store: Store) -> Store:
    build_sample(store)
    return store


def _client(store: Store, tmp_path: Path, **overrides: Any) -> TestClient:
    overrides.setdefault("anonymous_read", True)
    return TestClient(make_app(store, tmp_path, **overrides))


def _chain_name(c: TestClient, chain: str = "steel") -> tuple[str, str | None]:
    r = c.get(CHAINS)
    assert r.status_code == 200, r.text
    return next(x["name"] for x in r.json() if x["id"] == chain), r.headers.get("x-cache")


def _rename(store: Store, name: str) -> None:
    merge_nodes(store, "Chain", [node_row("steel", {"name": name})])


def test_api_cache_data_version_moves_on_writes_only(sample: Store) -> None:
    v0 = sample.data_version()
    assert v0 is not None
    sample.read("MATCH (c:Chain) RETURN count(c) AS n")
    assert sample.data_version() == v0  # reads never move it
    writes = sample.local_writes
    _rename(sample, "精品钢铁二")
    assert sample.data_version() != v0
    assert sample.local_writes > writes
    _rename(sample, "精品钢铁")


def test_data_version_reused_within_max_age_but_never_across_own_writes(
        sample: Store, request: pytest.FixtureRequest) -> None:
    sample.version_max_age = 3600.0
    try:
        v0 = sample.data_version()
        assert v0 is not None
        merge_from_another_process(sample, request, "Chain", "steel", {"name": "精品钢铁外"})
        assert sample.data_version() == v0  # kept: the other process's write is not asked
        v1 = sample.data_version(fresh=True)  # asked, and kept for the next callers
        assert v1 != v0
        assert sample.data_version() == v1
        _rename(sample, "精品钢铁二")  # this object's own write shows at once
        v2 = sample.data_version()
        assert v2 not in (v0, v1)
        assert sample.data_version() == v2
        sample.version_max_age = 1e-9  # past the age: asked again (nothing changed)
        time.sleep(0.01)
        assert sample.data_version() == v2
        merge_from_another_process(sample, request, "Chain", "steel", {"name": "精品钢铁外二"})
        time.sleep(0.01)
        assert sample.data_version() != v2
    finally:
        sample.version_max_age = 0.0
        _rename(sample, "精品钢铁")


def test_app_lets_the_store_it_opens_reuse_the_version_within_the_cache_bound(
        embedded_store: Store, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, store=embedded_store.url, api_cache_check_ms=350)
    with TestClient(create_app(settings)) as c:
        opened: Store = c.app.state.store  # type: ignore[attr-defined]
        assert opened is not embedded_store
        assert opened.version_max_age == pytest.approx(0.35)
    with TestClient(make_app(embedded_store, tmp_path, api_cache_check_ms=350)):
        assert embedded_store.version_max_age == 0.0  # a store passed in keeps its policy


def test_api_cache_hit_is_the_uncached_answer(sample: Store, tmp_path: Path) -> None:
    paths = [CHAINS, "/api/v1/chains/steel", "/api/v1/chains/steel/gaps?region=1302",
             "/api/v1/enterprises?q=唐山", "/api/v1/enterprises/E1",
             f"{RECS}?enterprise=E1&relation=SUPPLIES",
             "/api/v1/paths?from=E3&to=E6"]
    with _client(sample, tmp_path, api_cache_entries=0) as plain, \
            _client(sample, tmp_path) as c:
        for p in paths:
            want = plain.get(p)
            assert want.status_code == 200, (p, want.text)
            assert "x-cache" not in want.headers
            first, second = c.get(p), c.get(p)
            assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit"), p
            assert first.json() == second.json() == want.json(), p
            assert second.headers["content-type"] == "application/json"


def test_api_cache_big_answers_travel_gzipped(sample: Store, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_cache, "GZIP_MIN_BYTES", 1000)
    path = "/api/v1/chains/steel"
    with _client(sample, tmp_path, api_cache_entries=0) as plain, \
            _client(sample, tmp_path) as c:
        want = plain.get(path, headers={"Accept-Encoding": "identity"})
        assert len(want.content) >= 1000 and "content-encoding" not in want.headers
        zipped = plain.get(path, headers={"Accept-Encoding": "gzip"})  # without the cache too
        assert zipped.headers["content-encoding"] == "gzip" and zipped.json() == want.json()
        for state in ("miss", "hit"):
            r = c.get(path, headers={"Accept-Encoding": "gzip, deflate"})
            assert (r.headers["x-cache"], r.headers["content-encoding"]) == (state, "gzip")
            assert r.headers["vary"] == "Accept-Encoding"
            assert r.content == want.content  # decoded by the client
            assert int(r.headers["content-length"]) < len(want.content) / 2
        raw = c.get(path, headers={"Accept-Encoding": "gzip;q=0, identity"})
        assert raw.headers["x-cache"] == "hit" and "content-encoding" not in raw.headers
        assert raw.content == want.content
        small = c.get(CHAINS, headers={"Accept-Encoding": "gzip"})
        assert small.status_code == 200 and "content-encoding" not in small.headers


def test_api_cache_gzip_rule() -> None:
    def req(value: str) -> Request:
        return Request({"type": "http", "headers": [(b"accept-encoding", value.encode())]})

    assert [accepts_gzip(req(v)) for v in ("gzip, deflate, br", "GZIP", "*", "br;q=1, gzip;q=0.5")]\
        == [True] * 4
    assert [accepts_gzip(req(v)) for v in ("", "br", "identity", "gzip;q=0", "gzip; q=0.0")] \
        == [False] * 5
    small, big = Body(b"x" * 100), Body(b"x" * api_cache.GZIP_MIN_BYTES)
    assert small.gz is None and len(small) == 100
    assert big.gz is not None and len(big) == len(big.raw) + len(big.gz)
    assert gzip.decompress(big.gz) == big.raw
    data = b"0123456789abcdef" * (api_cache.GZIP_ONLY_BYTES // 16)
    huge = Body(data)  # kept gzipped alone, given whole to a client that refuses gzip
    assert huge.gz is not None and len(huge) == len(huge.gz) < len(data) // 10
    assert huge.raw == data
    assert send(req("gzip"), huge).body == huge.gz
    assert send(req("identity"), huge).body == data


def test_api_cache_gzip_only_body_goes_out_as_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    huge = Body(b"0123456789abcdef" * (api_cache.GZIP_ONLY_BYTES // 16))

    def no(_data: bytes) -> bytes:
        raise AssertionError("decompressed for a client that takes gzip")

    monkeypatch.setattr(api_cache.gzip, "decompress", no)
    accepting = Request({"type": "http", "headers": [(b"accept-encoding", b"gzip")]})
    r = send(accepting, huge)
    assert r.body == huge.gz and r.headers["content-encoding"] == "gzip"


def test_api_cache_own_write_shows_at_once(sample: Store, tmp_path: Path) -> None:
    # A check interval of an hour: only the store's own write counter can explain a miss.
    with _client(sample, tmp_path, api_cache_check_ms=3_600_000) as c:
        assert _chain_name(c) == ("精品钢铁", "miss")
        assert _chain_name(c) == ("精品钢铁", "hit")
        try:
            _rename(sample, "精品钢铁改")
            assert _chain_name(c) == ("精品钢铁改", "miss")
        finally:
            _rename(sample, "精品钢铁")


def test_api_cache_write_by_another_process_shows_within_the_bound(
        sample: Store, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    bound_ms = 300
    with _client(sample, tmp_path, api_cache_check_ms=bound_ms) as c:
        assert _chain_name(c)[0] == "精品钢铁"
        assert _chain_name(c) == ("精品钢铁", "hit")
        try:
            merge_from_another_process(sample, request, "Chain", "steel", {"name": "精品钢铁外"})
            written = time.monotonic()
            # Served from the cache at most until the bound has passed since the write...
            time.sleep(max(0.0, bound_ms / 1000 - (time.monotonic() - written)) + 0.05)
            # ...after which the answer is fresh.
            assert _chain_name(c) == ("精品钢铁外", "miss")
            assert _chain_name(c) == ("精品钢铁外", "hit")
        finally:
            _rename(sample, "精品钢铁")


def test_api_cache_roles_never_share_entries(sample: Store, tmp_path: Path) -> None:
    with _client(sample, tmp_path) as c:
        reader, editor = new_token(c.app, "reader"), new_token(c.app, "editor")  # type: ignore[arg-type]
        assert c.get(CHAINS).headers["x-cache"] == "miss"  # anonymous
        assert c.get(CHAINS).headers["x-cache"] == "hit"
        assert c.get(CHAINS, headers=auth(reader)).headers["x-cache"] == "miss"
        assert c.get(CHAINS, headers=auth(reader)).headers["x-cache"] == "hit"
        assert c.get(CHAINS, headers=auth(editor)).headers["x-cache"] == "miss"
        # A cached answer never skips authentication.
        bad = c.get(CHAINS, headers=auth(revoked_token(c.app, "reader")))  # type: ignore[arg-type]
        assert bad.status_code == 401 and "x-cache" not in bad.headers
        assert c.get(CHAINS, headers=auth("rl_abcdefabcdef_wrong")).status_code == 401


def test_api_cache_hits_need_a_key_when_anonymous_reading_is_off(
        sample: Store, tmp_path: Path) -> None:
    with _client(sample, tmp_path, anonymous_read=False) as c:
        token = new_token(c.app, "reader")  # type: ignore[arg-type]
        assert c.get(CHAINS, headers=auth(token)).status_code == 200
        assert c.get(CHAINS, headers=auth(token)).headers["x-cache"] == "hit"
        assert c.get(CHAINS).status_code == 401


def test_api_cache_hits_count_against_rate_limits(sample: Store, tmp_path: Path) -> None:
    with _client(sample, tmp_path, rate_limit_per_minute=2) as c:
        assert [c.get(CHAINS).status_code for _ in range(2)] == [200, 200]
        r = c.get(CHAINS)
        assert r.status_code == 429 and "x-cache" not in r.headers


def test_api_cache_key_is_the_validated_request(sample: Store, tmp_path: Path) -> None:
    with _client(sample, tmp_path) as c:
        assert c.get(f"{RECS}?enterprise=E1").headers["x-cache"] == "miss"
        # Same request spelt differently: parameter order, explicit defaults.
        assert c.get(f"{RECS}?top=10&enterprise=E1").headers["x-cache"] == "hit"
        assert c.get(f"{RECS}?enterprise=E1&relation=SUPPLIES&top=10").headers["x-cache"] \
            == "hit"
        # A different parameter is a different answer.
        assert c.get(f"{RECS}?enterprise=E1&top=3").headers["x-cache"] == "miss"
        assert len(c.get(f"{RECS}?enterprise=E1&top=3").json()["results"]) <= 3
        # Invalid input never reaches the cache.
        assert c.get(f"{RECS}?enterprise=E1&top=0").status_code == 422


def test_api_cache_does_not_keep_errors(sample: Store, tmp_path: Path) -> None:
    with _client(sample, tmp_path) as c:
        for _ in range(2):
            r = c.get("/api/v1/enterprises/NO-SUCH-FIRM")
            assert r.status_code == 404 and "x-cache" not in r.headers
            assert r.headers["content-type"].startswith("application/problem+json")
        assert len(c.app.state.cache) == 0  # type: ignore[attr-defined]


def test_api_cache_metrics_count_hits_and_misses(sample: Store, tmp_path: Path) -> None:
    with _client(sample, tmp_path) as c:
        c.get("/api/v1/chains/steel")
        c.get("/api/v1/chains/steel")
        text = c.get("/metrics").text
    assert 'ronglian_api_cache_requests_total{result="hit",route="/api/v1/chains/{chain_id}"}' \
        in text
    assert 'result="miss",route="/api/v1/chains/{chain_id}"' in text
    assert "ronglian_api_cache_entries" in text and "ronglian_api_cache_bytes" in text


# --- the cache object alone ----------------------------------------------------------------


class _FakeStore:
    """Just what the cache reads of a store."""

    def __init__(self, version: Hashable | None = 1) -> None:
        self.version = version
        self.local_writes = 0

    def data_version(self, *, fresh: bool = False) -> Hashable | None:
        return self.version


def _answer(cache: ResponseCache, key: str, body: bytes) -> str | None:
    async def go() -> str | None:
        r = await cache.answer(key, "/t", lambda: Body(body))
        assert r.body == body
        return r.headers.get("x-cache")

    return anyio.run(go)


@pytest.fixture
def fake() -> Iterator[_FakeStore]:
    yield _FakeStore()


def test_api_cache_lru_keeps_its_entry_bound(fake: _FakeStore) -> None:
    cache = ResponseCache(fake, max_entries=2, max_bytes=1 << 20,  # type: ignore[arg-type]
                          check_interval=0)
    for k in "abc":
        assert _answer(cache, k, k.encode()) == "miss"
    assert len(cache) == 2
    assert _answer(cache, "c", b"c") == "hit"
    assert _answer(cache, "a", b"a") == "miss"  # the oldest went first
    assert _answer(cache, "c", b"c") == "hit"  # ...and a hit refreshed "c"
    assert _answer(cache, "b", b"b") == "miss"


def test_api_cache_lru_keeps_its_byte_bound(fake: _FakeStore) -> None:
    cache = ResponseCache(fake, max_entries=100, max_bytes=10,  # type: ignore[arg-type]
                          check_interval=0)
    _answer(cache, "a", b"12345")
    _answer(cache, "b", b"12345")
    _answer(cache, "c", b"12345")
    assert len(cache) == 2 and cache.size_bytes == 10
    _answer(cache, "big", b"x" * 11)  # larger than the whole cache: answered, not kept
    assert cache.size_bytes <= 10 and _answer(cache, "big", b"x" * 11) == "miss"


def test_api_cache_generation_change_drops_everything(fake: _FakeStore) -> None:
    cache = ResponseCache(fake, max_entries=10, max_bytes=1 << 20,  # type: ignore[arg-type]
                          check_interval=0)
    _answer(cache, "a", b"1")
    assert _answer(cache, "a", b"1") == "hit"
    fake.version = 2  # another process wrote
    assert _answer(cache, "a", b"1") == "miss"
    fake.local_writes += 1  # this process wrote
    assert _answer(cache, "a", b"1") == "miss"
    assert len(cache) == 1


def test_api_cache_is_bypassed_when_the_store_cannot_tell() -> None:
    cache = ResponseCache(_FakeStore(None), max_entries=10,  # type: ignore[arg-type]
                          max_bytes=1 << 20, check_interval=0)
    assert _answer(cache, "a", b"1") is None
    assert _answer(cache, "a", b"1") is None
    assert len(cache) == 0


def test_api_cache_checks_the_generation_at_most_every_interval(fake: _FakeStore) -> None:
    cache = ResponseCache(fake, max_entries=10, max_bytes=1 << 20,  # type: ignore[arg-type]
                          check_interval=3600)
    _answer(cache, "a", b"1")
    fake.version = 2  # not seen until the interval has passed
    assert _answer(cache, "a", b"1") == "hit"
    cache.watch.interval = 0
    assert _answer(cache, "a", b"1") == "miss"


def test_api_cache_identical_misses_are_computed_once(fake: _FakeStore) -> None:
    cache = ResponseCache(fake, max_entries=10, max_bytes=1 << 20,  # type: ignore[arg-type]
                          check_interval=3600)
    calls = 0

    def slow() -> Body:
        nonlocal calls
        calls += 1
        time.sleep(0.2)
        return Body(b"answer")

    async def go() -> list[str | None]:
        out: list[str | None] = []

        async def one() -> None:
            r = await cache.answer("k", "/t", slow)
            assert r.body == b"answer"
            out.append(r.headers.get("x-cache"))

        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(one)
        return out

    states = anyio.run(go)
    assert calls == 1
    assert sorted(s or "" for s in states) == ["hit"] * 4 + ["miss"]


def test_api_cache_identical_misses_share_the_error(fake: _FakeStore) -> None:
    cache = ResponseCache(fake, max_entries=10, max_bytes=1 << 20,  # type: ignore[arg-type]
                          check_interval=3600)

    def boom() -> Body:
        time.sleep(0.1)
        raise LookupError("no such firm")

    async def go() -> list[str]:
        out: list[str] = []

        async def one() -> None:
            try:
                await cache.answer("k", "/t", boom)
            except LookupError as e:
                out.append(str(e))

        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(one)
        return out

    assert anyio.run(go) == ["no such firm"] * 3
    assert len(cache) == 0
