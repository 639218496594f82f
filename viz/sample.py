"""Synthetic chain-map inputs of any size, for the renderer's tests, ``bench/map.py`` and
offline demos: ``sample_chain(n)`` returns ``(detail, gaps, supplies)`` shaped exactly like
``queries.chains.chain_detail``, ``queries.gaps.chain_gaps`` and the map's supply rows.

Deterministic (seeded) and fictitious: every name is made up and flagged synthetic. Nothing
here reads a store or a file.
"""

from __future__ import annotations

import random
from typing import Any

PRODUCTS: dict[str, list[str]] = {
    "上游": ["铁矿石", "焦炭", "废钢", "石灰石", "铁合金", "耐火材料"],
    "中游": ["生铁", "粗钢", "热轧板卷", "冷轧板", "螺纹钢", "型钢", "无缝钢管"],
    "下游": ["汽车零部件", "工程机械", "建筑钢结构", "家电板材", "船舶制造", "五金制品"],
}
_A = "冀丰宏达鑫盛恒通瑞泰华新兴隆博远金源德正安嘉诚信永利凯旋"
_B = ["钢铁", "冶金", "矿业", "机械", "材料", "科技", "重工", "金属", "制造", "实业"]
_SIZES = ["大型", "中型", "小型", "微型", "未划型"]
_SIZE_W = [0.08, 0.22, 0.4, 0.25, 0.05]
LOCAL_REGION = "1302"
#: The product the chain marks as an extension target (``extension: true``): 延链.
EXTENSION_TARGET = "船舶制造"


def _name(rng: random.Random, used: set[str], local: bool) -> str:
    place = "唐山" if local else rng.choice(["邯郸", "天津", "沧州", "承德", "秦皇岛", "保定"])
    while True:
        n = f"{place}{rng.choice(_A)}{rng.choice(_A)}{rng.choice(_B)}有限公司"
        if n not in used:
            used.add(n)
            return n


Sample = tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]


def sample_chain(n_enterprises: int, *, seed: int = 7, chain_id: str = "demo-steel",
                 per_product_max: int | None = None, id_prefix: str = "E") -> Sample:
    """A synthetic steel chain with ``n_enterprises`` firms over 19 product nodes.

    One product (``铁合金``) has no local producer (补链) and one (``耐火材料``) a single
    local micro firm (强链); ``船舶制造``, an extension target of the chain with no local
    producer, is 延链, and ``螺纹钢``, with no gap, lists an extension direction (可延链), as
    the gap service classes them. ~1 supply tie per firm downstream, denser around the
    leading firms.
    """
    rng = random.Random(seed)
    used: set[str] = set()
    products = [(seg, name) for seg, names in PRODUCTS.items() for name in names]
    ents: list[dict[str, Any]] = []
    for i in range(n_enterprises):
        local = rng.random() < 0.7
        size = rng.choices(_SIZES, _SIZE_W)[0]
        tiers: list[str] = []
        r = rng.random()
        if size == "大型" and r < 0.5:
            tiers = ["链主企业"]
        elif size in ("中型", "小型") and r < 0.15:
            tiers = ["专精特新中小企业"] if r < 0.1 else ["专精特新小巨人"]
        ents.append({
            "id": f"{id_prefix}{i:06d}", "name": _name(rng, used, local),
            "region_code": (LOCAL_REGION + f"{rng.randint(2, 30):02d}") if local
            else rng.choice(["130400", "120100", "130900", "130800"]),
            "local": local, "size_class": size, "tiers": tiers,
        })
    # Each firm makes 1 (sometimes 2) products of adjacent nodes.
    members: dict[str, list[dict[str, Any]]] = {name: [] for _, name in products}
    made_by: dict[str, list[int]] = {}
    for e in ents:
        k = rng.randrange(len(products))
        picks = [k] + ([min(len(products) - 1, k + 1)] if rng.random() < 0.15 else [])
        for j in dict.fromkeys(picks):
            name = products[j][1]
            if per_product_max and len(members[name]) >= per_product_max:
                continue
            if name in ("铁合金", EXTENSION_TARGET) and e["local"]:
                continue  # the 补链 and 延链 nodes: nobody local makes them
            members[name].append(e)
            made_by.setdefault(e["id"], []).append(j)
    # 耐火材料: exactly one local micro producer (强链).
    ref = members["耐火材料"]
    locals_ = [e for e in ref if e["local"]]
    for e in locals_[1:]:
        ref.remove(e)
    if locals_:
        locals_[0]["size_class"], locals_[0]["tiers"] = "微型", []

    segments = []
    for seg, names in PRODUCTS.items():
        nodes = []
        for name in names:
            es = sorted(members[name], key=lambda e: (not e["local"], e["name"]))
            nodes.append({"id": f"{chain_id}:{name}", "name": name,
                          "enterprises": [dict(e) for e in es]})
        segments.append({"name": seg, "nodes": nodes})
    detail = {"id": chain_id, "name": "精品钢铁（合成示例）", "region": LOCAL_REGION,
              "synthetic": True, "segments": segments}

    gap_nodes = []
    for seg, names in PRODUCTS.items():
        for name in names:
            es = members[name]
            local_es = [e for e in es if e["local"]]
            cls = ("延链" if name == EXTENSION_TARGET else "补链") if not local_es else \
                "强链" if len(local_es) == 1 else None
            node: dict[str, Any] = {
                "id": f"{chain_id}:{name}", "name": name, "segment": seg,
                "local_count": len(local_es), "external_count": len(es) - len(local_es),
                "class": cls, "score": 0.9 if cls == "补链" else 0.6 if cls else 0.1,
                "reasons": ["本地无生产企业"] if cls == "补链" else
                ["延链方向：本地尚无生产企业，可引进或培育"] if cls == "延链" else
                ["本地仅一家生产企业"] if cls else [],
                "candidates": [{"id": e["id"], "name": e["name"], "score": 0.5,
                                "reasons": [f"生产{name}"]}
                               for e in es if not e["local"]][:3],
                "extensions": [{"id": "x:特种钢材", "name": "特种钢材", "direction": "downstream",
                                "local_count": 0}] if name == "螺纹钢" else [],
            }
            gap_nodes.append(node)
    gaps = {"chain": chain_id, "region": LOCAL_REGION, "nodes": gap_nodes}

    # Supply ties point downstream: a firm at product j supplies firms at later products.
    by_product: dict[int, list[str]] = {}
    for eid, js in made_by.items():
        for j in js:
            by_product.setdefault(j, []).append(eid)
    leaders = {e["id"] for e in ents if "链主企业" in e["tiers"]}
    supplies: list[dict[str, Any]] = []
    for eid, js in made_by.items():
        j = js[0]
        later = [k for k in by_product if k > j]
        if not later:
            continue
        ties = 2 if eid in leaders else 1
        for _ in range(ties):
            k = rng.choice(later)
            supplies.append({"source": eid, "target": rng.choice(by_product[k]),
                             "product": products[j][1]})
    return detail, gaps, supplies
