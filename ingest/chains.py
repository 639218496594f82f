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
from collections.abc import Callable
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


def _ours(job: Job, data: dict[str, Any], region: str | None) -> str:
    chain_id = str(data["id"])
    home = region or data.get("home_region")
    job.node("Chain", chain_id, {"name": to_simplified(str(data.get("name") or chain_id)),
                                 "description": data.get("description"),
                                 "home_region": home, "name_en": data.get("name_en")})
    firms = _Firms(job, home)
    for i, seg in enumerate(data["segments"]):
        sname = to_simplified(str(seg.get("name") or f"环节{i + 1}"))
        sid = f"{chain_id}:{sname}"
        job.node("Segment", sid, {"chain_id": chain_id, "name": sname,
                                  "order": int(seg.get("order", SEGMENT_ORDER.get(sname, i)))})
        job.rel("PART_OF", "Segment", sid, "Chain", chain_id)
        for p in seg.get("products") or []:
            job.result.read += 1
            if not p.get("id") or not p.get("name"):
                job.quarantine(job.result.read, "products", codes.E210_REQUIRED,
                               f"{sname}: 产品缺少 id 或 name (product without id or name)")
                continue
            pid, pname = str(p["id"]), to_simplified(str(p["name"]))
            job.node("Product", pid, {"name": pname, "norm_name": norm_name(pname),
                                      "industry_code": p.get("industry_code"),
                                      "chain_id": chain_id, "name_en": p.get("name_en")})
            # 延链 products belong to the chain as extension targets, not as its core: the
            # flag lives on the membership, since a product can sit in several chains.
            job.rel("IN_SEGMENT", "Product", pid, "Segment", sid,
                    {"extension": True} if p.get("extension") else None)
            for up in p.get("upstream") or []:
                job.rel("UPSTREAM_OF", "Product", str(up), "Product", pid)
            for c in p.get("companies") or []:
                if c.get("name"):
                    firms.add(to_simplified(str(c["name"])), foreign=bool(c.get("is_foreign")),
                              product_id=pid, uscc=c.get("uscc"))
    return chain_id


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
                 on_progress: Callable[[int], None] | None = None) -> IngestResult:
    """Load one chain definition; the chain id is in ``result.chain_ids``."""
    path = Path(path)
    if region:
        from ingest.regions import resolve_region

        m = resolve_region(region)
        if m.region is None:
            raise IngestError(f"--region {region!r}: {m.reason}", code=codes.E212_REGION)
        region = m.region.code
    data = _load(path)
    layout = layout_of(data)
    job = Job(store, source or path.name, f"chain:{layout}", method=method, run_dir=run_dir,
              synthetic=synthetic, on_progress=on_progress)
    chain_id = _ours(job, data, region) if layout == "ronglian" else _tpex(job, data, region,
                                                                          path)
    job.result.chain_ids.append(chain_id)
    return job.finish()
