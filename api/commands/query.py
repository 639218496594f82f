"""Query commands: ``chains``, ``chain``, ``gaps``, ``recommend``, ``path``, ``search``, ``profile``
and ``eval links``.

Options only: each command opens the store, calls one service from ``queries/`` and
prints its answer as a table (or the API's JSON with ``--json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.commands._common import echo_json as _json
from api.commands._common import with_store as _with_store

out = Console(width=None if Console().is_terminal else 160)
err = Console(stderr=True)

StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (default: "
                     "RONGLIAN_STORE, else the embedded store in the user's data folder).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a table.")]


def chains_cmd(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """List the chains with their segment and enterprise counts. 列出产业链。"""
    from queries.chains import list_chains

    rows = _with_store(store, list_chains)
    if as_json:
        return _json(rows)
    t = Table("id", "名称 name", "环节 segments", "企业 enterprises")
    for r in rows:
        t.add_row(r["id"], r["name"], str(r["segments"]), str(r["enterprises"]))
    out.print(t)
    return None


def chain_cmd(
    chain: Annotated[str, typer.Argument(help="Chain id (see ronglian chains).")],
    region: Annotated[str | None, typer.Option("--region", help="Region code or name that "
                                               "counts as local (default: the chain's home "
                                               "region).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="Producers named per product "
                                       "node, local ones first; 0: counts only.")] = 5,
    store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """A chain's segments and product nodes with their producers. 产业链结构。"""
    from queries.chains import chain_detail

    d = _with_store(store, lambda s: chain_detail(s, chain, region, limit))
    if as_json:
        return _json(d)
    out.print(f"[bold]{d['name']}[/] ({d['id']}) 地区 region {d['region'] or '-'}")
    t = Table("环节 segment", "产品节点 product", "企业 firms", "本地 local", "企业 names")
    for seg in d["segments"]:
        for n in seg["nodes"]:
            names = "、".join(str(e["name"]) for e in n["enterprises"])
            more = n["enterprise_count"] - len(n["enterprises"])
            t.add_row(seg["name"], str(n["name"]), str(n["enterprise_count"]),
                      str(n["local_count"]), names + (f" 等（另 {more} 家）" if names and more
                                                      else ""))
    out.print(t)
    return None


def gaps_cmd(
    chain: Annotated[str, typer.Option("--chain", help="Chain id.")],
    region: Annotated[str | None, typer.Option("--region", help="Region code (default: the "
                                               "chain's home region).")] = None,
    store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """Chain gaps in a region: 补链 / 强链 / 延链 with candidate firms. 产业链缺口分析。"""
    from queries.gaps import chain_gaps

    g = _with_store(store, lambda s: chain_gaps(s, chain, region))
    if as_json:
        return _json(g)
    out.print(f"[bold]{g['name']}[/] ({g['chain']}) 地区 region {g['region']}")
    t = Table("环节", "产品节点", "本地", "外地", "类别", "缺口分", "原因 / 候选企业")
    for n in g["nodes"]:
        why = "；".join(n["reasons"])
        if n["candidates"]:
            why += (" → " if why else "") + "、".join(c["name"] for c in n["candidates"][:3])
        if n["extensions"]:
            # directions to grow from a node without a gap (the map's 可延链), not a 延链 gap
            why += ("；" if why else "") + "可延链：" + "、".join(
                e["name"] for e in n["extensions"][:3])
        t.add_row(n["segment"], n["name"], str(n["local_count"]), str(n["external_count"]),
                  n["class"] or "-", f"{n['score']:.2f}", why)
    out.print(t)
    return None


def recommend_cmd(
    enterprise: Annotated[str, typer.Argument(help="Enterprise id, USCC or name.")],
    relation: Annotated[str, typer.Option("--relation", help="SUPPLIES (who could supply it), "
                                          "SUPPLIED_BY (whom it could supply), COOPERATES_WITH, "
                                          "INVESTS_IN.")] = "SUPPLIES",
    need: Annotated[str | None, typer.Option(
        "--need", help="One of its open needs (id or name), or text matched against product "
        "and capability names.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Prefer this region.")] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=100)] = 10,
    store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """Recommend partners for an enterprise, with reasons. 伙伴推荐。"""
    from queries.recommend import one_shot, recommend_partners

    with one_shot():
        r = _with_store(store, lambda s: recommend_partners(s, enterprise, relation, need=need,
                                                            region=region, top=top))
    if as_json:
        return _json(r)
    out.print(f"[bold]{r['enterprise']['name']}[/] ({r['enterprise']['id']}) · {r['relation']}")
    t = Table("#", "企业 enterprise", "分数 score", "理由 reasons")
    for i, x in enumerate(r["results"], 1):
        t.add_row(str(i), f"{x['name']} ({x['id']})", f"{x['score']:.3f}", "；".join(x["reasons"]))
    out.print(t)
    return None


def path_cmd(
    a: Annotated[str, typer.Argument(help="Start enterprise: id, USCC or name.")],
    b: Annotated[str, typer.Argument(help="End enterprise: id, USCC or name.")],
    max_hops: Annotated[int, typer.Option("--max-hops", min=1, max=8)] = 6,
    relations: Annotated[str | None, typer.Option("--relations", help="Comma-separated types "
                                                  "(default: all).")] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=10, help="How many paths.")] = 3,
    store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """Shortest collaboration paths between two enterprises. 协作路径。"""
    from queries.paths import paths

    r = _with_store(store, lambda s: paths(s, a, b, relations=relations, max_hops=max_hops, k=k))
    if as_json:
        return _json(r)
    if not r["paths"]:
        out.print(f"{r['from']['name']} 与 {r['to']['name']} 之间在 {max_hops} 步内没有路径")
    for i, p in enumerate(r["paths"], 1):
        out.print(f"[bold]路径 {i}[/]（{p['length']} 步）")
        for h in p["hops"]:
            out.print(f"  {h['text']}", highlight=False)
    return None


def search_cmd(
    q: Annotated[str, typer.Argument(help="Name, short name, alias, USCC or pinyin initials.")],
    region: Annotated[str | None, typer.Option("--region")] = None,
    size_class: Annotated[str | None, typer.Option("--size-class")] = None,
    tier: Annotated[str | None, typer.Option("--tier")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100)] = 20,
    store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """Search enterprises. 企业搜索。"""
    from queries.search import search

    r = _with_store(store, lambda s: search(s, q, region=region, size_class=size_class,
                                            tier=tier, limit=limit))
    if as_json:
        return _json(r)
    t = Table("id", "名称 name", "地区", "规模", "梯队 tiers", "匹配", "分")
    for x in r["items"]:
        t.add_row(x["id"], x["name"], x["region_name"] or x["region_code"] or "",
                  x["size_class"] or "",
                  "、".join(x["tiers"]), x["matched"] or "", f"{x['score']:.0f}")
    out.print(t)
    return None


def profile_cmd(
    enterprise: Annotated[str, typer.Argument(help="Enterprise id, USCC or name.")],
    store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """An enterprise's profile with provenance. 企业画像。"""
    from queries.profile import enterprise_profile

    p = _with_store(store, lambda s: enterprise_profile(s, enterprise))
    if as_json:
        return _json(p)
    region, code = p["region"] or {}, p["region_code"] or ""
    place = region.get("full_name") or code
    if code and place != code and region.get("code") != code:
        place += f" ({code})"  # a division above the firm's own, which is not loaded
    out.print(f"[bold]{p['name']}[/] ({p['id']}) {p['size_class'] or ''} "
              f"{'、'.join(p['tiers'])} 地区 {place}"
              + ("  [yellow]合成数据 synthetic[/]" if p["synthetic"] else ""))
    for title, key in (("产品", "products"), ("能力", "capabilities"), ("需求", "needs"),
                       ("资源", "resources")):
        if p[key]:
            out.print(f"{title}: " + "、".join(str(x["name"]) for x in p[key]), highlight=False)
    for c in p["chain_positions"]:
        out.print(f"产业链: {c['chain']} / {c['segment']} / {c['product']}", highlight=False)
    for x in p["partners"]:
        arrow = "→" if x["direction"] == "out" else "←"
        out.print(f"伙伴: {arrow} {x['relation_zh']} {x['name']} ({x['id']})"
                  f"  [dim]{x['provenance'].get('source') or ''}[/]", highlight=False)
    return None


def eval_links_cmd(
    train: Annotated[Path, typer.Option("--train", help="Training triples file.")],
    test: Annotated[Path | None, typer.Option("--test", help="Test triples file.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        "--mapping", help="Relation mapping, e.g. seeds/mappings/ickg25.json (default: built in)."
    )] = None,
    relation: Annotated[str, typer.Option("--relation", help="Relation to predict, e.g. 供给 "
                                          "or 合作.")] = "供给",
    dev: Annotated[float | None, typer.Option(
        "--dev", help="Instead of --test: evaluate on the last FRACTION of --train by time "
        "(a chronological dev split for tuning, e.g. 0.1).")] = None,
    dev_split: Annotated[str, typer.Option(
        "--dev-split", help="With --dev: 'time' (the latest FRACTION) or 'random' (a seeded "
        "random FRACTION of --train).")] = "time",
    seed: Annotated[int, typer.Option("--seed", help="Seed of --dev-split random.")] = 1,
    candidates: Annotated[str, typer.Option(
        "--candidates", help="What each tail is ranked against: 'partners' (every firm seen in "
        "training in the relation, the issue's protocol) or 'all' (every enterprise of the "
        "training graph).")] = "partners",
    as_json: JsonOpt = False,
) -> None:
    """Link prediction: recommender vs Adamic-Adar, common neighbours, pref. attachment."""
    from queries.linkeval import evaluate_links

    def progress(i: int, n: int) -> None:
        if i == n or i % 50 == 0:
            err.print(f"  {i}/{n}", highlight=False)

    report = evaluate_links(train, test, relation, mapping, progress=progress, dev_fraction=dev,
                            dev_split=dev_split, seed=seed, candidates=candidates)
    if as_json:
        return _json(report.as_dict())
    against = (f"every firm seen in training as a {relation} partner"
               if report.candidates == "partners" else "every enterprise of the training graph")
    out.print(f"relation {relation}: {report.pairs} test pairs, ranked against {against} "
              f"(skipped: {report.skipped})")
    t = Table("method", "Hits@1", "Hits@10", "MRR")
    for name, s in report.methods.items():
        t.add_row(name, f"{s.hits1:.4f}", f"{s.hits10:.4f}", f"{s.mrr:.4f}")
    out.print(t)
    aa = report.methods["adamic_adar"].hits10
    ours = report.methods["ronglian"].hits10
    out.print(f"Hits@10 ratio ronglian / Adamic-Adar = {ours / aa:.2f}" if aa else
              "Adamic-Adar Hits@10 is 0")
    return None


def register(app: typer.Typer) -> None:
    app.command("chains")(chains_cmd)
    app.command("chain")(chain_cmd)
    app.command("gaps")(gaps_cmd)
    app.command("recommend")(recommend_cmd)
    app.command("path")(path_cmd)
    app.command("search")(search_cmd)
    app.command("profile")(profile_cmd)
    try:
        from api.commands.text import eval_app
    except ImportError:  # the text commands are absent: own a small eval group
        eval_app = typer.Typer(help="质量评估 (evaluate quality).", no_args_is_help=True)
        app.add_typer(eval_app, name="eval")
    eval_app.command("links")(eval_links_cmd)
