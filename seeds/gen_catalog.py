"""The product catalogue the generator draws from: the chain taxonomies in
``seeds/chains/*.json`` flattened into indexed products, plus the deliberate
gap plan of the synthetic data (which nodes Tangshan lacks or is weak in).

Reads only files under ``seeds/``; no randomness and no writing here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHAINS_DIR = Path(__file__).resolve().parent / "chains"
HOME_REGION = "1302"  # Tangshan


@dataclass(frozen=True)
class ChainGaps:
    """Deliberate weaknesses of one chain in the synthetic Tangshan data.

    ``missing``: no Tangshan producer at all (补链); ``single``: exactly one
    Tangshan producer (强链, single-supplier dependence); ``micro``: only a few
    Tangshan micro firms make it (强链); ``leading``: products whose Tangshan
    makers include large 链主 firms. Extension products (``"extension": true`` in
    the chain file) get no Tangshan producer either: they are 延链 candidates.
    """

    missing: tuple[str, ...]
    single: tuple[str, ...]
    micro: tuple[str, ...]
    leading: tuple[str, ...]


# Local ids (without the chain prefix). Chosen to be recognisable to a planner:
# classic 卡脖子 parts (precision reducers, servo motors, grain-oriented
# electrical steel, MEAs) and materials the region buys in from elsewhere.
GAP_PLAN: dict[str, ChainGaps] = {
    "ts-steel": ChainGaps(missing=("electrical-steel", "manganese-ore"),
                          single=("auto-sheet",), micro=("wire-products",),
                          leading=("pig-iron", "crude-steel", "hot-rolled-coil", "heavy-plate",
                                   "cold-rolled-sheet", "section-steel", "coke")),
    "ts-equip": ChainGaps(missing=("precision-reducer", "servo-motor"),
                          single=("traction",), micro=("sensors",),
                          leading=("emu", "bogies", "port-crane", "robot-arm",
                                   "mining-machinery", "metallurgical-equipment")),
    "ts-newmat": ChainGaps(missing=("cathode-material", "lithium-salts"),
                           single=("carbon-fiber",), micro=("metal-powder",),
                           leading=("graphite-electrode", "aluminum-profile", "li-battery",
                                    "glass-fiber", "anode-material")),
    "ts-chem": ChainGaps(missing=("acrylonitrile", "dissolving-pulp"),
                         single=("ethylene",), micro=("water-treatment",),
                         leading=("soda-ash", "caustic-soda", "pvc", "viscose", "methanol",
                                  "fuel-oil")),
    "ts-building": ChainGaps(missing=("glaze",), single=("flat-glass",),
                             micro=("plaster-molds",),
                             leading=("cement", "sanitary-ware", "tiles", "refractories",
                                      "precast", "daily-ceramics")),
    "ts-port": ChainGaps(missing=("port-software", "containers"), single=("cold-storage",),
                         micro=("nav-aids",),
                         leading=("bulk-terminal", "container-terminal", "ore-trading",
                                  "multimodal", "coastal-shipping")),
    "ts-hydrogen": ChainGaps(missing=("mea", "electrolyzer"), single=("fc-stack",),
                             micro=("h2-tube-trailer",),
                             leading=("byproduct-hydrogen", "wind-power", "refueling-station",
                                      "fc-system")),
}


@dataclass
class Product:
    """One product node, with its position in the flat catalogue."""

    index: int
    id: str
    name: str
    industry_code: str
    chain_id: str
    segment_order: int
    extension: bool
    upstream: list[int] = field(default_factory=list)
    downstream: list[int] = field(default_factory=list)


@dataclass
class Catalog:
    """All chains' products, indexed, with up/downstream links and the gap plan."""

    chains: list[dict[str, Any]]
    products: list[Product]
    by_id: dict[str, int]
    chain_products: dict[str, list[int]]
    missing: set[int]
    single: set[int]
    micro: set[int]
    leading: dict[str, list[int]]

    @property
    def chain_ids(self) -> list[str]:
        return [c["id"] for c in self.chains]

    def local_gap(self, index: int) -> bool:
        """True when random Tangshan firms must not make this product."""
        p = self.products[index]
        return p.extension or index in self.missing or index in self.single or index in self.micro


def load_chains(chains_dir: Path = CHAINS_DIR) -> list[dict[str, Any]]:
    """The chain documents, sorted by file name (stable order = stable output)."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(chains_dir.glob("*.json"))]


def load_catalog(chains_dir: Path = CHAINS_DIR) -> Catalog:
    """Flatten the chain files into a :class:`Catalog`; raises KeyError on a dangling link."""
    chains = load_chains(chains_dir)
    products: list[Product] = []
    by_id: dict[str, int] = {}
    raw_up: list[list[str]] = []
    chain_products: dict[str, list[int]] = {}
    for chain in chains:
        chain_products[chain["id"]] = []
        for seg in chain["segments"]:
            for p in seg["products"]:
                idx = len(products)
                products.append(Product(idx, p["id"], p["name"], p["industry_code"], chain["id"],
                                        int(seg["order"]), bool(p.get("extension", False))))
                by_id[p["id"]] = idx
                raw_up.append(list(p.get("upstream", [])))
                chain_products[chain["id"]].append(idx)
    for idx, ups in enumerate(raw_up):
        for u in ups:
            ui = by_id[u]
            products[idx].upstream.append(ui)
            products[ui].downstream.append(idx)

    def ids(chain_id: str, local: tuple[str, ...]) -> list[int]:
        return [by_id[f"{chain_id}.{x}"] for x in local]

    missing: set[int] = set()
    single: set[int] = set()
    micro: set[int] = set()
    leading: dict[str, list[int]] = {}
    for cid in chain_products:
        plan = GAP_PLAN.get(cid)
        if plan is None:
            leading[cid] = []
            continue
        missing.update(ids(cid, plan.missing))
        single.update(ids(cid, plan.single))
        micro.update(ids(cid, plan.micro))
        leading[cid] = ids(cid, plan.leading)
    return Catalog(chains, products, by_id, chain_products, missing, single, micro, leading)
