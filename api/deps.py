"""FastAPI dependencies as ``Annotated`` aliases, for every router in ``api/routes/``.

- ``StoreDep``: the app's one :class:`~graph.store.Store` (opened in the lifespan).
  Store calls block, so routes that use it are plain ``def`` functions: FastAPI runs
  them in its bounded thread pool (``settings.threadpool_size``) and the event loop
  stays free. Never call the store from an ``async def`` route; the cached read routes
  are ``async def`` only because :func:`api.cache.cached` sends their one service call
  to that same pool.
- ``SettingsDep``: the app's settings.
- ``CurrentKey``: the caller (an API key, or anonymous when ``anonymous_read`` is on).
  Every discovered router already requires it, so read routes need nothing more.
- ``ReaderKey`` / ``EditorKey`` / ``AdminKey``: a real key holding at least that role
  (anonymous callers get 401, weaker keys 403). Put one on every write route::

      @router.post("/things")
      def create_thing(store: StoreDep, key: EditorKey, body: Thing) -> ...

Nothing here talks to a database directly.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.auth import Principal, check_role, current_principal
from api.keys import KeyStore
from graph.settings import Settings
from graph.store import Store


async def get_store(request: Request) -> Store:
    return request.app.state.store


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_keys(request: Request) -> KeyStore:
    return request.app.state.keys


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
KeysDep = Annotated[KeyStore, Depends(get_keys)]
CurrentKey = Annotated[Principal, Depends(current_principal)]


async def require_reader(who: CurrentKey) -> Principal:
    return check_role(who, "reader")


async def require_editor(who: CurrentKey) -> Principal:
    return check_role(who, "editor")


async def require_admin(who: CurrentKey) -> Principal:
    return check_role(who, "admin")


ReaderKey = Annotated[Principal, Depends(require_reader)]
EditorKey = Annotated[Principal, Depends(require_editor)]
AdminKey = Annotated[Principal, Depends(require_admin)]
