"""``ronglian services create|list|show|advance|offer|decide|feedback|kpis|demo``.

Service records (服务记录) and the platform's service KPIs. Options only: each command
opens the store, calls one function of :mod:`queries.service_writes` (writes) or
:mod:`queries.services` (reads) and prints a table, or the API's JSON with ``--json``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from api.commands._common import echo_json as _json
from api.commands._common import with_store as _with_store
from graph.store import Store

services_app = typer.Typer(help="服务记录与服务评价指标 (service requests and KPIs).",
                           no_args_is_help=True)
out = Console(width=None if Console().is_terminal else 160)

StoreOpt = Annotated[str | None, typer.Option("--store", help="Store URL (default: "
                     "RONGLIAN_STORE).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the API's JSON.")]
ActorOpt = Annotated[str, typer.Option("--actor", help="Who does it (kept in the timeline).")]
AtOpt = Annotated[str | None, typer.Option("--at", help="When (ISO-8601; default now).")]


def _show(r: dict[str, Any]) -> None:
    ent = r["enterprise"]
    out.print(f"[bold]{r['id']}[/bold]  {r['title']}  〔{r['area']}〕  "
              f"{r['status_zh']} ({r['status']})")
    out.print(f"请求方 requester: {ent['name']} ({ent['id']}, {ent['size_class'] or '-'})")
    if r["about"]:
        out.print("关联 about: " + "、".join(f"{a['name']} ({a['label']} {a['id']})"
                                           for a in r["about"]))
    if r["response_hours"] is not None:
        out.print(f"响应时长 response: {r['response_hours']} h")
    if r["satisfaction"] is not None:
        out.print(f"满意度 satisfaction: {r['satisfaction']}/5  {r['feedback'] or ''}")
    if r["matches"]:
        t = Table("对接企业 partner", "规模 size", "得分 score", "接受 accepted", "理由 reasons")
        for m in r["matches"]:
            acc = {True: "是", False: "否", None: "待定"}[m["accepted"]]
            t.add_row(f"{m['name']} ({m['partner']})", m["size_class"] or "",
                      "" if m["score"] is None else f"{m['score']:.2f}", acc,
                      "；".join(m["reasons"]))
        out.print(t)
    t = Table("时间 at", "操作人 actor", "事件 event", "说明 note")
    for h in r["timeline"]:
        if h.get("event") == "status":
            what = f"{h.get('from') or '—'} → {h.get('to')} {h.get('to_zh', '')}"
        else:
            what = f"{h.get('event')} {h.get('partner') or '、'.join(h.get('partners') or [])}"
        t.add_row(str(h.get("at")), str(h.get("actor")), what, h.get("note") or "")
    out.print(t)


@services_app.command("create")
def create_cmd(
    enterprise: Annotated[str, typer.Option("--enterprise", help="Requester: id, USCC or name.")],
    area: Annotated[str, typer.Option("--area", help="创新创意/设计研发/生产制造/物资采购/"
                                      "市场营销/资金融通")],
    title: Annotated[str, typer.Option("--title", help="What is asked for.")],
    description: Annotated[str | None, typer.Option("--description")] = None,
    about: Annotated[str | None, typer.Option("--about", help="Need, Product or Capability "
                                              "id.")] = None,
    relation: Annotated[str | None, typer.Option("--relation", help="SUPPLIES, SUPPLIED_BY, "
                                                 "COOPERATES_WITH or INVESTS_IN.")] = None,
    request_id: Annotated[str | None, typer.Option("--id", help="Client id (idempotent).")
                          ] = None,
    actor: ActorOpt = "cli", at: AtOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """Record a service request (已受理). 提交服务请求。"""
    from queries.service_writes import create_request
    from queries.services import get_request

    def go(s: Store) -> tuple[bool, dict[str, Any]]:
        res = create_request(s, enterprise=enterprise, area=area, title=title,
                             description=description, about=about, relation=relation,
                             request_id=request_id, actor=actor, at=at, source="cli")
        return res.created, get_request(s, res.id)

    created, r = _with_store(store, go)
    if as_json:
        return _json(r)
    out.print(("已创建 created " if created else "已存在 exists ") + r["id"])
    _show(r)
    return None


@services_app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option("--status", help="Status(es), comma-separated.")
                      ] = None,
    area: Annotated[str | None, typer.Option("--area")] = None,
    enterprise: Annotated[str | None, typer.Option("--enterprise")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Requester region code.")
                      ] = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    cursor: Annotated[str | None, typer.Option("--cursor")] = None,
    store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """List service requests, newest first. 服务请求列表。"""
    from queries.services import list_requests

    page = _with_store(store, lambda s: list_requests(
        s, status=status, area=area, enterprise=enterprise, region=region, since=since,
        until=until, limit=limit, cursor=cursor))
    if as_json:
        return _json(page)
    t = Table("id", "领域 area", "标题 title", "状态 status", "请求方 requester", "提交 created",
              "响应h", "满意度", "推荐/接受")
    for r in page["items"]:
        t.add_row(r["id"], r["area"], r["title"], r["status_zh"], r["enterprise"]["name"],
                  r["created_at"], "" if r["response_hours"] is None else
                  f"{r['response_hours']:.1f}", "" if r["satisfaction"] is None else
                  str(r["satisfaction"]), f"{r['offered']}/{r['accepted']}")
    out.print(t)
    if page["next_cursor"]:
        out.print(f"下一页 next page: --cursor {page['next_cursor']}")
    return None


@services_app.command("show")
def show_cmd(request_id: str, store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """One request with its partners and timeline. 服务请求详情。"""
    from queries.services import get_request

    r = _with_store(store, lambda s: get_request(s, request_id))
    if as_json:
        return _json(r)
    _show(r)
    return None


@services_app.command("advance")
def advance_cmd(
    request_id: str,
    to: Annotated[str, typer.Option("--to", help="Next status: matching, matched, "
                                    "in_progress, completed, evaluated, rejected, cancelled.")],
    note: Annotated[str | None, typer.Option("--note")] = None,
    partner: Annotated[str | None, typer.Option("--partner", help="For matched: the accepted "
                                                "partner.")] = None,
    recommend: Annotated[bool, typer.Option("--recommend", help="For matching: propose "
                                            "partners with the recommender.")] = False,
    top: Annotated[int, typer.Option("--top", min=1, max=20,
                                     help="With --recommend: partners proposed.")] = 5,
    actor: ActorOpt = "cli", at: AtOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """Move a request to its next status. 推进服务状态。"""
    from queries.recommend import one_shot
    from queries.service_writes import advance

    with one_shot():
        r = _with_store(store, lambda s: advance(s, request_id, to, actor=actor, note=note,
                                                 at=at, partner=partner, recommend=recommend,
                                                 top=top))
    if as_json:
        return _json(r)
    _show(r)
    return None


@services_app.command("offer")
def offer_cmd(request_id: str,
              partner: Annotated[list[str], typer.Option("--partner", help="Repeat for more.")],
              note: Annotated[str | None, typer.Option("--note")] = None,
              actor: ActorOpt = "cli", at: AtOpt = None, store: StoreOpt = None,
              as_json: JsonOpt = False) -> None:
    """Offer partners to a request that is matching. 人工推荐对接企业。"""
    from queries.service_writes import offer_matches

    r = _with_store(store, lambda s: offer_matches(s, request_id, partner, actor=actor,
                                                   note=note, at=at))
    if as_json:
        return _json(r)
    _show(r)
    return None


@services_app.command("decide")
def decide_cmd(request_id: str,
               partner: Annotated[str, typer.Option("--partner")],
               accept: Annotated[bool, typer.Option("--accept/--decline")] = True,
               note: Annotated[str | None, typer.Option("--note")] = None,
               actor: ActorOpt = "cli", at: AtOpt = None, store: StoreOpt = None,
               as_json: JsonOpt = False) -> None:
    """Record the requester accepting or declining an offered partner. 确认对接企业。"""
    from queries.service_writes import decide_match

    r = _with_store(store, lambda s: decide_match(s, request_id, partner, accept, actor=actor,
                                                  note=note, at=at))
    if as_json:
        return _json(r)
    _show(r)
    return None


@services_app.command("feedback")
def feedback_cmd(
    request_id: str,
    satisfaction: Annotated[int, typer.Option("--satisfaction", min=1, max=5,
                                              help="1 (poor) to 5 (excellent).")],
    feedback: Annotated[str | None, typer.Option("--feedback")] = None,
    actor: ActorOpt = "cli", at: AtOpt = None, store: StoreOpt = None, as_json: JsonOpt = False,
) -> None:
    """Evaluate a completed service (已评价). 服务评价。"""
    from queries.service_writes import record_feedback

    r = _with_store(store, lambda s: record_feedback(s, request_id, satisfaction=satisfaction,
                                                     feedback=feedback, actor=actor, at=at))
    if as_json:
        return _json(r)
    _show(r)
    return None


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


@services_app.command("kpis")
def kpis_cmd(region: Annotated[str | None, typer.Option("--region")] = None,
             area: Annotated[str | None, typer.Option("--area")] = None,
             since: Annotated[str | None, typer.Option("--since")] = None,
             until: Annotated[str | None, typer.Option("--until")] = None,
             stale_hours: Annotated[int, typer.Option(
                 "--stale-hours", min=1, max=8760,
                 help="Open requests idle this long need follow-up.")] = 72,
             as_of: Annotated[str | None, typer.Option("--as-of")] = None,
             store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Service KPIs overall and by month. 服务评价指标。"""
    from queries.services import STATUS_ZH, kpis

    k = _with_store(store, lambda s: kpis(s, region=region, area=area, since=since,
                                          until=until, stale_hours=stale_hours, as_of=as_of))
    if as_json:
        return _json(k)
    rh, sat, rt = k["response_hours"], k["satisfaction"], k["rongtong"]
    out.print(f"[bold]服务请求 requests: {k['total']}[/bold]  在办 open: {k['open']}  "
              f"对接率 match rate: {_pct(k['match_rate'])}  完成率 completion: "
              f"{_pct(k['completion_rate'])}")
    out.print(f"响应时长 response hours: 平均 mean {rh['mean']}  中位 median {rh['median']} "
              f"(n={rh['n']})")
    out.print(f"满意度 satisfaction: 平均 mean {sat['mean']} (n={sat['n']})  满意率 4–5: "
              f"{_pct(sat['satisfied_share'])}  分布 " + " ".join(
                  f"{s}★{n}" for s, n in sat["distribution"].items()))
    out.print(f"大中小企业融通 SME↔leading: {rt['sme_with_leading']}/{rt['matched']} "
              f"({_pct(rt['share'])})")
    t = Table("状态 status", "数量 n")
    for s, n in k["by_status"].items():
        t.add_row(f"{STATUS_ZH[s]} {s}", str(n))
    a = Table("领域 area", "数量 n")
    for s, n in k["by_area"].items():
        a.add_row(s, str(n))
    out.print(t, a)
    m = Table("月份 month", "请求 n", "对接率", "完成率", "响应h 中位", "满意度", "融通")
    for row in k["by_month"]:
        m.add_row(row["month"], str(row["total"]), _pct(row["match_rate"]),
                  _pct(row["completion_rate"]), str(row["response_hours"]["median"] or "—"),
                  str(row["satisfaction_mean"] or "—"), _pct(row["rongtong_share"]))
    out.print(m)
    f = k["follow_up"]
    out.print(f"待跟进 follow-up (as of {f['as_of']}): 超过 {f['stale_hours']} 小时未处理 "
              f"idle {f['stale_count']}，差评 poor ratings {f['poor_count']}")
    for r in f["stale"]:
        out.print(f"  ⏱ {r['id']} {r['title']} — {STATUS_ZH[r['status']]} since {r['since']}")
    for r in f["poor"]:
        out.print(f"  ✗ {r['id']} {r['title']} — {r['satisfaction']}/5 {r['feedback'] or ''}")
    return None


@services_app.command("demo")
def demo_cmd(n: Annotated[int, typer.Option("--n", min=1, max=1000,
                                            help="How many requests.")] = 60,
             seed: Annotated[int, typer.Option("--seed")] = 20261127,
             recommend: Annotated[bool, typer.Option(
                 "--recommend/--no-recommend",
                 help="Let the recommender propose partners (slower).")] = True,
             store: StoreOpt = None) -> None:
    """Write a deterministic synthetic set of service requests over the loaded demo
    (run `ronglian demo` first). 生成演示服务记录。"""
    from queries.recommend import one_shot
    from queries.service_writes import demo_service_requests

    with one_shot():
        res = _with_store(store, lambda s: demo_service_requests(s, n=n, seed=seed,
                                                                recommend=recommend))
    out.print(f"演示服务记录 demo requests: {res.requests} ({res.created} new); "
              + ", ".join(f"{k} {v}" for k, v in sorted((res.by_status or {}).items())))


def register(app: typer.Typer) -> None:
    app.add_typer(services_app, name="services")
