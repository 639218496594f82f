"""``ronglian ingest chain``: chain definitions → Chain, Segment, Product, firms.

Two layouts are read:

* **ours** (``seeds/chains/*.json``, documented in ``ingest/README.md``):
  ``{id, name, home_region, description, segments: [{name, order, products:
  [{id, name, industry_code, upstream: [product ids], companies?: [...]}]}]}``;
* **TPEx** (Taiwan's industry-chain platform, Traditional Chinese, converted to
  Simplified): ``{title, introduction, chains: [{title: 上游|中游|下游|…,
  companies: [{id, text, detailed_data: {title, companies: [{name, url,
  is_foreign}]}}]}]}``. Its product nodes carry no upstream links, so each
  product is linked ``UPSTREAM_OF`` every product of the next segment with
  ``method = rule`` and confidence 0.5. Firms with ``is_foreign: false`` are
  placed in ``--region`` (``LOCATED_IN`` + ``region_code``); the others get
  ``outside_region = true``.

Firms are resolved strictly (USCC or exact normalised name): a fuzzy match is
only proposed for review, since chain files name firms by short names that
collide easily. Must not live here: Cypher text or CLI output.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from graph.errors import IngestError
from graph.store import Store
from ingest import codes
from ingest.job import IngestResult, Job, stable_id
from ingest.normalize import norm_name, to_simplified
from ingest.tables import SEGMENT_ORDER

_STK = re.compile(r"stk_code=(\w+)")


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as e:
        raise IngestError(f"产业链文件无法读取 {path}: {e} (unreadable chain file)",
                          code=codes.E201_UNREADABLE) from e
    if not isinstance(data, dict):
        raise IngestError(f"{path}: 产业链定义应为 JSON 对象 (chain must be an object)",
                          code=codes.E205_BAD_CHAIN)
    return data


def _shape_error(data: dict[str, Any], layout: str) -> str | None:
    """The JSON path and problem of the first value of the wrong type in a chain file, or
    None. Checked before anything is written: a segment that is not an object, a product
    list that is not a list… make the file, not an item, unusable."""
    def objects(value: Any, at: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, list):
            return f"{at}: 应为列表 (must be a list)"
        for k, item in enumerate(value):
            if not isinstance(item, dict):
                return f"{at}[{k}]: 应为 JSON 对象 (must be an object)"
        return None

    if layout == "tpex":
        bad = objects(data["chains"], "chains")
        for i, seg in enumerate(data["chains"] if bad is None else []):
            bad = bad or objects(seg.get("companies"), f"chains[{i}].companies")
        return bad
    bad = objects(data["segments"], "segments")
    for i, seg in enumerate(data["segments"] if bad is None else []):
        order = seg.get("order")
        if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
            return f"segments[{i}].order: 应为整数 (must be an integer)"
        bad = objects(seg.get("products"), f"segments[{i}].products")
        for j, p in enumerate(seg.get("products") or [] if bad is None else []):
            at = f"segments[{i}].products[{j}]"
            up = p.get("upstream")
            if up is not None and not isinstance(up, str) and not (
                    isinstance(up, list) and all(isinstance(u, str) for u in up)):
                return (f"{at}.upstream: 应为产品编号或其列表 "
                        "(must be a product id or a list of them)")
            bad = bad or objects(p.get("companies"), f"{at}.companies")
        if bad:
            return bad
    return bad


def layout_of(data: dict[str, Any]) -> str:
    if isinstance(data.get("segments"), list) and data.get("id"):
        return "ronglian"
    if isinstance(data.get("chains"), list) and data.get("title"):
        return "tpex"
    raise IngestError("无法识别的产业链格式：需要 {id, name, segments} 或 TPEx 的 "
                      "{title, chains} (unknown chain layout)", code=codes.E205_BAD_CHAIN)


class _Firms:
    def __init__(self, job: Job, region: str | None) -> None:
        self.job = job
        self.region = region

    def add(self, name: str, *, foreign: bool, product_id: str, uscc: str | None = None,
            extra: dict[str, Any] | None = None) -> None:
        d = self.job.resolver.resolve(name=name, uscc=uscc)
        if d.kind == "same" and d.reason in {"uscc", "name"} and d.id:
            eid = d.id
            self.job.result.merged += 1
        else:
            eid = stable_id("E", norm_name(name)) if not uscc else stable_id("E", uscc)
            if d.id and d.kind in {"same", "ambiguous"}:
                self.job.candidate("merge", {"merge": [eid, d.id],
                                             "options": [i for i, _ in d.candidates]},
                                   confidence=d.score, reason=d.reason)
            props: dict[str, Any] = {"name": name, "norm_name": norm_name(name), "uscc": uscc,
                                     **(extra or {})}
            if foreign:
                props["outside_region"] = True
            elif self.region:
                props["region_code"] = self.region
            self.job.node("Enterprise", eid, props, confidence=0.8)
            self.job.resolver.add(eid, name, uscc=uscc)
        if not foreign and self.region:
            self.job.rel("LOCATED_IN", "Enterprise", eid, "Region", self.region)
        self.job.rel("PRODUCES", "Enterprise", eid, "Product", product_id)


def product_ids(path: Path | str) -> set[str]:
    """The product ids a chain file of our layout defines (empty for TPEx files and for
    files that cannot be read: loading them says what is wrong)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
        return {str(p["id"]) for seg in data["segments"] for p in seg.get("products") or []
                if isinstance(p, dict) and p.get("id")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def _ours(job: Job, data: dict[str, Any], home: str | None,
          known_products: Collection[str]) -> str:
    """Quarantined items name their JSON path (``segments[1].products[0].upstream[1]``)
    as the column and the product's number in the file as the row."""
    from ingest.industry import get_industry

    chain_id = str(data["id"])
    job.node("Chain", chain_id, {"name": to_simplified(str(data.get("name") or chain_id)),
                                 "description": data.get("description"),
                                 "home_region": home, "name_en": data.get("name_en")})
    firms = _Firms(job, home)
    loaded: dict[str, tuple[str, dict[str, Any]]] = {}  # product id -> (path, props)
    links: list[tuple[int, str, str, str]] = []  # (row, path, upstream id, product id)
    for i, seg in enumerate(data["segments"]):
        sname = to_simplified(str(seg.get("name") or f"环节{i + 1}"))
        sid = f"{chain_id}:{sname}"
        job.node("Segment", sid, {"chain_id": chain_id, "name": sname,
                                  "order": int(seg.get("order", SEGMENT_ORDER.get(sname, i)))})
        job.rel("PART_OF", "Segment", sid, "Chain", chain_id)
        for j, p in enumerate(seg.get("products") or []):
            job.result.read += 1
            row, at = job.result.read, f"segments[{i}].products[{j}]"
            if not isinstance(p, dict) or not p.get("id") or not p.get("name"):
                job.quarantine(row, at, codes.E210_REQUIRED,
                               f"{sname}: 产品缺少 id 或 name (product without id or name)")
                continue
            pid, pname = str(p["id"]), to_simplified(str(p["name"]))
            industry_code = None
            ic = str(p.get("industry_code") or "").strip()
            if ic:
                ind = get_industry(ic)
                if ind is None:
                    # Only the code is refused: the product holds its segment's place
                    # and its links, which the rest of the chain needs.
                    job.quarantine(row, f"{at}.industry_code", codes.E213_INDUSTRY,
                                   f"industry_code: 未知的行业代码 {ic!r}，"
                                   "产品已导入但不带行业代码 "
                                   "(unknown GB/T 4754 code; the product is loaded without it)")
                else:
                    industry_code = ind.code
            props = {"name": pname, "norm_name": norm_name(pname),
                     "industry_code": industry_code, "chain_id": chain_id,
                     "name_en": p.get("name_en")}
            if pid in loaded:
                first, first_props = loaded[pid]
                if first_props != props:
                    # Later definitions used to overwrite the first one silently.
                    job.quarantine(row, f"{at}.id", codes.E221_DUPLICATE,
                                   f"产品编号 {pid!r} 已在 {first} 定义，内容不同；"
                                   "保留先出现的定义 (duplicate product id with other "
                                   f"content; the one at {first} is loaded)")
                    continue
            else:
                loaded[pid] = (at, props)
            job.node("Product", pid, props)
            # 延链 products belong to the chain as extension targets, not as its core: the
            # flag lives on the membership, since a product can sit in several chains.
            job.rel("IN_SEGMENT", "Product", pid, "Segment", sid,
                    {"extension": True} if p.get("extension") else None)
            ups = p.get("upstream") or []
            for k, up in enumerate([ups] if isinstance(ups, str) else ups):  # one id alone
                links.append((row, f"{at}.upstream[{k}]", str(up), pid))
            for c in p.get("companies") or []:
                if c.get("name"):
                    firms.add(to_simplified(str(c["name"])), foreign=bool(c.get("is_foreign")),
                              product_id=pid, uscc=c.get("uscc"))
    _upstream_links(job, links, loaded, known_products)
    return chain_id


def _upstream_links(job: Job, links: list[tuple[int, str, str, str]],
                    loaded: Mapping[str, object], known_products: Collection[str]) -> None:
    """Write the ``UPSTREAM_OF`` links whose upstream product exists (in this file, in the
    files loaded with it, or in the store) and quarantine the others with their path.
    Checked after the whole file is read, since an upstream may be defined further down."""
    elsewhere = [up for _, _, up, _ in links if up not in loaded and up not in known_products]
    in_store = job.existing_ids("Product", elsewhere)
    for row, at, up, pid in links:
        if up in loaded or up in known_products or up in in_store:
            job.rel("UPSTREAM_OF", "Product", up, "Product", pid)
        else:
            # Such a link used to be dropped by the write, counted only as "skipped".
            job.quarantine(row, at, codes.E218_UNKNOWN_REF,
                           f"upstream: 未知的上游产品编号 {up!r}，本文件、同批文件和图谱中都没有 "
                           "(unknown upstream product id: not in this file, the files loaded "
                           "with it or the store)")


def _tpex(job: Job, data: dict[str, Any], region: str | None, path: Path) -> str:
    code = path.stem.split("_")[0]
    chain_id = f"tpex-{code}" if code else stable_id("chain", data["title"])
    name = to_simplified(str(data["title"]))
    job.node("Chain", chain_id, {"name": name,
                                 "description": to_simplified(str(data.get("introduction")
                                                                  or "")) or None,
                                 "home_region": region})
    firms = _Firms(job, region)
    previous: list[str] = []
    for i, seg in enumerate(data["chains"]):
        sname = to_simplified(str(seg.get("title") or f"环节{i + 1}"))
        sid = f"{chain_id}:{sname}"
        job.node("Segment", sid, {"chain_id": chain_id, "name": sname, "order": i})
        job.rel("PART_OF", "Segment", sid, "Chain", chain_id)
        current: list[str] = []
        for p in seg.get("companies") or []:
            job.result.read += 1
            detail = p.get("detailed_data") or {}
            pname = to_simplified(str(detail.get("title") or p.get("text") or "")).strip()
            if not pname or not p.get("id"):
                job.quarantine(job.result.read, "companies", codes.E210_REQUIRED,
                               f"{sname}: 产品节点缺少 id 或名称 (product node without id/name)")
                continue
            pid = f"{chain_id}.{p['id']}"
            job.node("Product", pid, {"name": pname, "norm_name": norm_name(pname),
                                      "chain_id": chain_id})
            job.rel("IN_SEGMENT", "Product", pid, "Segment", sid)
            current.append(pid)
            for c in detail.get("companies") or []:
                if not c.get("name"):
                    continue
                m = _STK.search(str(c.get("url") or ""))
                extra = {"listing_code": m.group(1)} if m else {}
                firms.add(to_simplified(str(c["name"])), foreign=bool(c.get("is_foreign", True)),
                          product_id=pid, extra=extra)
        for up in previous:
            for down in current:
                job.rel("UPSTREAM_OF", "Product", up, "Product", down, {"method": "rule"},
                        confidence=0.5)
        previous = current or previous
    return chain_id


def ingest_chain(store: Store, path: Path | str, *, region: str | None = None,
                 run_dir: Path | None = None, source: str | None = None,
                 synthetic: bool = False, method: str = "table",
                 known_products: Collection[str] = (),
                 on_progress: Callable[[int], None] | None = None) -> IngestResult:
    """Load one chain definition; the chain id is in ``result.chain_ids``.

    ``known_products``: product ids other files of the same load define. An upstream
    link to one of them is kept (and counted as skipped while that product is not in
    the store: the caller loads this file again after the others); any other upstream
    id that neither the file nor the store has is quarantined.
    """
    from ingest.regions import resolve_region

    path = Path(path)
    if region:
        m = resolve_region(region)
        if m.region is None:
            raise IngestError(f"--region {region!r}: {m.reason}", code=codes.E212_REGION)
        region = m.region.code
    data = _load(path)
    layout = layout_of(data)
    bad = _shape_error(data, layout)
    if bad:
        raise IngestError(f"{path.name}: {bad}", code=codes.E205_BAD_CHAIN)
    if layout == "ronglian" and not region and data.get("home_region") not in (None, ""):
        # The file's region places the chain and its local firms as --region does, so it
        # is checked (and a name turned into its code) the same way.
        home = str(data["home_region"])
        m = resolve_region(home)
        if m.region is None:
            raise IngestError(f"{path.name}: home_region {home!r}: {m.reason}",
                              code=codes.E212_REGION)
        region = m.region.code
    job = Job(store, source or path.name, f"chain:{layout}", method=method, run_dir=run_dir,
              synthetic=synthetic, on_progress=on_progress)
    chain_id = (_ours(job, data, region, known_products) if layout == "ronglian"
                else _tpex(job, data, region, path))
    job.result.chain_ids.append(chain_id)
    return job.finish()
