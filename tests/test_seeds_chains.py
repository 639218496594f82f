"""Chain taxonomies in seeds/chains: format, GB/T 4754-2017 codes, links, gap plan."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from seeds.gen_catalog import CHAINS_DIR, GAP_PLAN, load_catalog

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REQUIRED = {"ts-steel", "ts-equip", "ts-newmat", "ts-chem", "ts-building", "ts-port"}
CHAIN_FILES = sorted(CHAINS_DIR.glob("*.json"))


def _class_codes() -> dict[str, str]:
    with open(SHARED_DATA / "industry" / "gbt4754_2017.csv", encoding="utf-8") as f:
        return {r["code"]: r["name"] for r in csv.DictReader(f) if r["level"] == "4"}


def _all_products() -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path in CHAIN_FILES:
        for seg in json.loads(path.read_text(encoding="utf-8"))["segments"]:
            for p in seg["products"]:
                assert p["id"] not in out, f"duplicate product id {p['id']}"
                out[p["id"]] = p
    return out


def test_seeds_chains_required_chains_present() -> None:
    ids = {json.loads(p.read_text(encoding="utf-8"))["id"] for p in CHAIN_FILES}
    assert ids >= REQUIRED
    for p in CHAIN_FILES:
        assert p.stem == json.loads(p.read_text(encoding="utf-8"))["id"]


@pytest.mark.parametrize("path", CHAIN_FILES, ids=[p.stem for p in CHAIN_FILES])
def test_seeds_chains_format(path: Path) -> None:
    chain = json.loads(path.read_text(encoding="utf-8"))
    for key in ("id", "name", "name_en", "home_region", "description", "source", "segments"):
        assert chain[key], key
    assert chain["home_region"] == "1302"
    segs = chain["segments"]
    assert [s["name"] for s in segs] == ["上游", "中游", "下游"]
    assert [s["order"] for s in segs] == [0, 1, 2]
    products = [p for s in segs for p in s["products"]]
    core = [p for p in products if not p.get("extension")]
    assert len(core) >= 15
    for p in products:
        assert p["id"].startswith(chain["id"] + "."), p["id"]
        assert p["name"] and p["name_en"]
        assert isinstance(p["upstream"], list)
        assert set(p) <= {"id", "name", "name_en", "industry_code", "upstream", "extension"}
    # Each segment after the first is fed by something upstream of it.
    for s in segs[1:]:
        assert any(p["upstream"] for p in s["products"]), s["name"]


def test_seeds_chains_codes_are_gbt4754_classes() -> None:
    codes = _class_codes()
    bad = {pid: p["industry_code"] for pid, p in _all_products().items()
           if p["industry_code"] not in codes}
    assert not bad


def test_seeds_chains_upstream_links_resolve_and_are_acyclic() -> None:
    products = _all_products()
    for pid, p in products.items():
        for u in p["upstream"]:
            assert u in products, f"{pid} -> unknown upstream {u}"
            assert u != pid
    state: dict[str, int] = {}

    def visit(pid: str, path: list[str]) -> None:
        if state.get(pid) == 1:
            raise AssertionError(f"cycle: {' -> '.join([*path, pid])}")
        if state.get(pid) == 2:
            return
        state[pid] = 1
        for u in products[pid]["upstream"]:
            visit(u, [*path, pid])
        state[pid] = 2

    for pid in products:
        visit(pid, [])


def test_seeds_chains_cross_chain_links_exist() -> None:
    products = _all_products()
    cross = [(pid, u) for pid, p in products.items() for u in p["upstream"]
             if u.split(".")[0] != pid.split(".")[0]]
    assert len(cross) >= 10  # chains feed each other (steel -> equipment, chem -> building…)


def test_seeds_chains_gap_plan_names_real_non_extension_nodes() -> None:
    cat = load_catalog()
    assert set(GAP_PLAN) <= set(cat.chain_ids)
    for cid, plan in GAP_PLAN.items():
        assert plan.missing and plan.single and plan.leading, cid
        named = [*plan.missing, *plan.single, *plan.micro, *plan.leading]
        assert len(named) == len(set(named)), cid
        for local in named:
            idx = cat.by_id[f"{cid}.{local}"]
            assert not cat.products[idx].extension
    # 补链 and single-supplier nodes feed something, so local buyers can need them.
    for g in cat.missing | cat.single:
        assert cat.products[g].downstream, cat.products[g].id
