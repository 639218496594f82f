"""The recommender's graph-wide scoring models per store, kept across graph generations:
after a change the previous generation's models answer while one background thread builds
the new ones (stale-while-revalidate).

The walk's graph (``queries/linkwalk.py``) and the industry affinity (``queries/linkscore.py``)
were built by the first request after every write, and every concurrent request of that
relation waited for it: at 100k enterprises the first cooperation request after a write took
7.3 s on the embedded FalkorDB and 21 s on Neo4j, against 1.2 s and 4.1 s once they were kept
here; the recommender's other aggregates (degrees, ``UPSTREAM_OF`` structure, makers, industry
members) and its tie graph are kept here too since, under the key ``recommend.AGGREGATES``,
so that a write no longer costs the next request anything but the reads of its own data
(``bench/recommend.py --after-write``: first request after a write 1.3-6.6 s before, 7-14 ms
after, on the embedded FalkorDB). A :class:`ModelCache` (one per store, :func:`cache_for`)
keeps the last model built for each key with the generation it was built for
(``recommend._Aggregates.serial``: a new one after every structural change or ``AGG_TTL_S``):

- a model of the request's generation (or a later one) is used as is;
- with :data:`BACKGROUND` and a model of an earlier generation for every key asked, those
  are used, and one background thread (single flight: the build lock is taken without
  waiting) builds the request's generation's models, in the order asked, each replacing its
  predecessor as soon as it is built (one assignment of a new mapping: a look-up never sees
  a half-built model; while the build runs, the old and the new models are both in memory);
- with a key never built (a cold start), or without :data:`BACKGROUND`, the request builds
  them itself under the same lock (concurrent requests wait for that one build), as before;
- :meth:`ModelCache.put` files an object without a build (the recommender's aggregates on a
  cold start or in the synchronous mode: an empty set the requests fill as they need it).

Background rebuilds are rate-limited: the next one starts at least :data:`REBUILD_GAP_S` and
:data:`REBUILD_FACTOR` times the last build's duration after it ended (a graph written to all
the time is rebuilt at most half the time, not after every write), and after a failed
attempt, like the tie graph's (``queries/tiegraph.py``), :data:`BACKOFF_FACTOR` times what
the attempt cost (a store too busy to answer the scans is not sent them again at once). A
failed background build is logged and leaves the previous models serving; a failed
synchronous build raises to its request, as before.

What "stale" may change in an answer is said in ``queries/recommend.py`` (its docstring's
"After a change" and ``recommend._serving``): the candidates that the graph-wide structure
proposes and their scores lag by one build (plus the rate limit's wait, when writes come
faster than builds); a request's own row, need matches and the display fields of what it
shows are read at its change token, so a firm tied a moment ago is never proposed and a
firm deleted since is never shown. The price: while a build runs in the API process it
shares the GIL with the requests.

The builds of one call share a memo (``memo`` argument of a builder) so that a scan two
models read (the industry memberships) is read once per build.

:data:`BACKGROUND` False: every build runs in the request (``eval links``, tests and anything
that compares answers across a write). Must not live here: what a model is (``linkwalk``,
``linkscore``) or how requests use it (``recommend``).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graph.errors import StoreClosed
from graph.store import Store
from queries import flag_off, full_gc_held, store_key

log = logging.getLogger(__name__)

#: After a graph change, serve the previous models while a background thread builds the new
#: ones; False: the request that needs a model builds it (evaluations, tests, scripts).
BACKGROUND = True
#: After a build, the next background build waits at least this long (seconds) ...
REBUILD_GAP_S = 5.0
#: ... and at least this many times the last build's duration ...
REBUILD_FACTOR = 1.0
#: ... or, after a failed attempt, this many times what it cost (``tiegraph.REBUILD_FACTOR``).
BACKOFF_FACTOR = 10.0
#: The background thread's name (tests and the benchmark join it).
THREAD_NAME = "recommend-models"

#: A model builder: gets a memo shared by the builds of one call, returns the model.
Builder = Callable[[dict[str, Any]], Any]


class ModelCache:
    """The models of one store, each with the generation it was built for."""

    def __init__(self) -> None:
        #: key → (generation, model); replaced whole (copy on write), never changed in place
        self._models: dict[Hashable, tuple[int, Any]] = {}
        #: held by the one build running (a request's or the background thread's)
        self._building = threading.Lock()
        #: (monotonic end, duration, failed) of the last build or attempt: the rate limit
        self._last: tuple[float, float, bool] | None = None
        #: the last background thread started (tests join it)
        self.thread: threading.Thread | None = None
        #: models built and builds failed (tests check the single flight and the backoff)
        self.builds = 0
        self.failures = 0
        #: held while a new mapping is published (a build's and :meth:`put`'s)
        self._publish = threading.Lock()

    def latest(self, key: Hashable) -> tuple[int, Any] | None:
        """``(generation, model)`` of the last ``key`` built or put, or None."""
        return self._models.get(key)

    def held(self) -> list[Hashable]:
        """The keys built or put so far, in the order they first were."""
        return list(self._models)

    def put(self, generation: int, key: Hashable, model: Any) -> None:
        """File ``model`` as ``key``'s for ``generation`` without a build (an object the
        requests fill lazily: the recommender's aggregates on a cold start or in the
        synchronous mode); never over a later generation's."""
        with self._publish:
            have = self._models.get(key)
            if have is None or have[0] < generation:
                self._models = {**self._models, key: (generation, model)}

    def get(self, generation: int, builders: Mapping[Hashable, Builder]) -> dict[Hashable, Any]:
        """``{key: model}`` for every key of ``builders``, of ``generation`` or, while one
        is built in the background, of an earlier one (module docstring)."""
        models = self._models  # one snapshot for the whole request
        got = {k: models.get(k) for k in builders}
        if all(v is not None and v[0] >= generation for v in got.values()):
            return {k: v[1] for k, v in got.items() if v is not None}
        if BACKGROUND and all(v is not None for v in got.values()):
            self._refresh(generation, builders)
            note_stale()
            return {k: v[1] for k, v in got.items() if v is not None}
        with self._building:  # a cold start (or synchronous): this request builds
            self._build(generation, builders)
            models = self._models
            return {k: models[k][1] for k in builders}

    def _refresh(self, generation: int, builders: Mapping[Hashable, Builder]) -> None:
        """Start the background build of ``generation``'s models, unless one is running
        or the last build ended too recently."""
        last = self._last
        if last is not None:
            end, took, failed = last
            if time.monotonic() - end < max(REBUILD_GAP_S,
                                            (BACKOFF_FACTOR if failed else REBUILD_FACTOR) * took):
                return
        if not self._building.acquire(blocking=False):
            return
        try:
            thread = threading.Thread(target=self._background, args=(generation, dict(builders)),
                                      daemon=True, name=THREAD_NAME)
            self.thread = thread
            thread.start()
        except BaseException:
            self._building.release()
            raise

    def _background(self, generation: int, builders: dict[Hashable, Builder]) -> None:
        """The background build (the caller took the lock; released here)."""
        try:
            self._build(generation, builders)
        except StoreClosed:  # its owner closed the store on purpose: nobody will ask again
            log.debug("recommender models: background build stopped: the store was closed")
        except Exception:  # the previous models keep answering; retried after the backoff
            log.warning("recommender models: background build failed; the previous ones "
                        "keep serving", exc_info=True)
        finally:
            self._building.release()

    def _build(self, generation: int, builders: Mapping[Hashable, Builder]) -> None:
        """Build the keys not yet at ``generation`` (the caller holds the lock), in the
        order of ``builders``, each published as soon as it is built (the recommender's
        aggregates, built first after a structural change, serve before the walk's seconds
        of scans end); if one fails, those built before it stay published."""
        todo = [k for k in builders
                if (v := self._models.get(k)) is None or v[0] < generation]
        if not todo:
            return
        memo: dict[str, Any] = {}  # scans shared by the builds of this call
        built = 0
        t0 = time.monotonic()
        failed = True
        try:
            for k in todo:
                with full_gc_held():  # millions of rows read and counted: queries.full_gc_held
                    model = builders[k](memo)
                with self._publish:  # one assignment of a new mapping: atomic for readers
                    self._models = {**self._models, k: (generation, model)}
                built += 1
            failed = False
        finally:
            self.builds += built
            self.failures += failed
            now = time.monotonic()
            self._last = (now, now - t0, failed)
        log.info("recommender models: %s built in %.1f s", ", ".join(map(str, todo)),
                 self._last[1])

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background build started last, if any (tests, the benchmark)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


_caches: dict[tuple[int, str], ModelCache] = {}
_creating = threading.Lock()


def cache_for(store: Store) -> ModelCache:
    """The store's model cache (one per store object and URL, as the recommender's
    aggregates)."""
    key = store_key(store)
    cache = _caches.get(key)
    if cache is None:
        with _creating:
            cache = _caches.setdefault(key, ModelCache())
    return cache


@dataclass
class Provisional:
    """What :func:`provisional` saw: ``stale`` once an answer computed in its block used a
    model older than the request's generation (or other data older than the store's change
    token, :func:`note_stale`)."""

    stale: bool = False


_marks = threading.local()


@contextlib.contextmanager
def provisional() -> Iterator[Provisional]:
    """Note, for the calls made in this block by this thread, whether what they computed is
    provisional: answered from a previous generation while the next one builds. A cache of
    answers (``api/cache.py``) must not keep those: once the build ends the same request
    answers differently, while the store's change token, its key, stays the same."""
    mark = Provisional()
    outer = getattr(_marks, "mark", None)
    _marks.mark = mark
    try:
        yield mark
    finally:
        _marks.mark = outer
        if outer is not None and mark.stale:
            outer.stale = True


def note_stale() -> None:
    """The answer being computed uses data older than the store's change token (see
    :func:`provisional`; a no-op outside its block)."""
    mark: Provisional | None = getattr(_marks, "mark", None)
    if mark is not None:
        mark.stale = True


def clear() -> None:
    """Forget every store's models (tests and evaluations load fresh graphs); a background
    build still running finishes into the forgotten cache."""
    _caches.clear()


@contextlib.contextmanager
def synchronous() -> Iterator[None]:
    """Build models in the requests inside this block (:data:`BACKGROUND` False), restored
    after it: a caller comparing answers across writes (``eval links``)."""
    with flag_off(sys.modules[__name__], "BACKGROUND"):
        yield
