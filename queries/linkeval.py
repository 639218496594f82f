"""Link-prediction evaluation of the partner recommender on triples (ICKG-25 format).

``evaluate_links(train, test, relation='供给')`` loads the training triples into a
fresh temporary embedded store, asks :func:`queries.recommend.rank_partners` for the
top 10 for each test pair's head (pairs whose ends are both known enterprises and
not already tied that way in training), and reports Hits@1, Hits@10 and MRR (over
the top 10) for the recommender and, computed in the same run on the same graph
with the same exclusions, Adamic-Adar, common neighbours and preferential
attachment.

Each tail is ranked, as the issue measures it, "against all partners seen in training"
(``candidates="partners"``): the candidates of every method are the firms that hold at
least one tie of the evaluated relation in training, at either end, and a pair whose tail
holds none is skipped (no method could rank it). The recommender itself ranks every firm;
its list is read down to its first 10 in that set. ``candidates="all"`` ranks against
every enterprise of the training graph instead (this tool's only protocol before; older
figures in the notes were taken that way). The issue's own figure for Adamic-Adar on its
test split, Hits@10 about 0.19 for 供给 and 0.20 for 合作, matches the first: on ICKG-25's
valid split Adamic-Adar gives 0.174 and 0.216 against partners, 0.056 and 0.156 against
every enterprise (against firms with a business tie of any type, 0.08 and 0.18).

``dev_fraction=0.1`` evaluates on a chronological dev split carved out of the
training file instead (the last 10 % of its triples by time are the test pairs,
the earlier ones the graph), so weights can be tuned without looking at the valid
split, which stays the held-out figure; the aim itself is measured on a later test
split, which a chronological cut imitates. ``dev_split="random"`` carves a seeded random
``dev_fraction`` of the training triples instead: ICKG-25's valid split covers the same
days as train, and by its time ids (``time2id.txt`` ends on train's last day) so does
the test split, so a random cut of train is the other shape a held-out split can take;
the cooperation weights are kept only if they hold on both (``queries/recommend.py``).

Triples files are ``head<TAB>relation<TAB>tail[<TAB>time]`` with ids resolved by
``entity2id.txt`` / ``relation2id.txt`` / ``time2id.txt`` beside them (names may
also be used directly). The relation mapping is :data:`ICKG_MAPPING` unless a JSON
mapping in ingest's format is given (``seeds/mappings/ickg25.json``). Entities are
written directly by name (id ``kg:<name>``), one label each (the strongest role it
plays), without entity resolution: the evaluation measures the recommender, not
the resolver, and test pairs must map to the same nodes. Research tool: reads
files, never ``../shared`` by itself.
"""

from __future__ import annotations

import json
import logging
import math
import random
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.errors import InvalidInput
from graph.store import Store, open_store
from graph.writes import merge_nodes, merge_rels, node_row, rel_row
from queries import modelcache, run, tiegraph
from queries.recommend import Weights, clear_cache, rank_partners

log = logging.getLogger("ronglian.eval")

#: ICKG-25 relation → stored relationship (start label, type, end label, swap ends).
ICKG_MAPPING: dict[str, dict[str, Any]] = {
    "供给": {"type": "SUPPLIES", "start": "Enterprise", "end": "Enterprise"},
    "合作": {"type": "COOPERATES_WITH", "start": "Enterprise", "end": "Enterprise"},
    "合资": {"type": "COOPERATES_WITH", "start": "Enterprise", "end": "Enterprise"},
    "投资": {"type": "INVESTS_IN", "start": "Enterprise", "end": "Enterprise"},
    "母公司/控股": {"type": "CONTROLS", "start": "Enterprise", "end": "Enterprise"},
    "并购": {"type": "CONTROLS", "start": "Enterprise", "end": "Enterprise"},
    "竞争": {"type": "COMPETES_WITH", "start": "Enterprise", "end": "Enterprise"},
    "涉足行业": {"type": "IN_INDUSTRY", "start": "Enterprise", "end": "Industry"},
    "归属于行业": {"type": "IN_INDUSTRY", "start": "Enterprise", "end": "Industry"},
    "上游于": {"type": "UPSTREAM_OF", "start": "Industry", "end": "Industry"},
    "包含": {"type": "PART_OF", "start": "Industry", "end": "Industry", "swap": True},
    "持有专利": {"type": "HOLDS_PATENT", "start": "Enterprise", "end": "Patent"},
    "基于专利生产": {"type": "PRODUCES", "start": "Enterprise", "end": "Product"},
}
#: What a test pair's tail is ranked against (``evaluate_links(candidates=...)``).
#: "partners": every firm seen in training in the evaluated relation, at either end, the
#: issue's protocol ("against all partners seen in training"); "all": every enterprise of the
#: training graph (this tool's protocol before, kept to compare with older figures).
CANDIDATE_SETS = ("partners", "all")
#: Which recommender relation answers "head —relation→ tail?" for a test relation.
ASK = {"SUPPLIES": "SUPPLIED_BY", "COOPERATES_WITH": "COOPERATES_WITH",
       "INVESTS_IN": "INVESTS_IN"}
LABEL_RANK = {"Enterprise": 0, "Industry": 1, "Product": 2, "Patent": 3}


@dataclass
class Scores:
    hits1: float = 0.0
    hits10: float = 0.0
    mrr: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {"hits@1": round(self.hits1, 4), "hits@10": round(self.hits10, 4),
                "mrr": round(self.mrr, 4)}


@dataclass
class EvalReport:
    relation: str
    pairs: int
    skipped: dict[str, int]
    methods: dict[str, Scores] = field(default_factory=dict)
    #: what the tails were ranked against (:data:`CANDIDATE_SETS`)
    candidates: str = "partners"

    def as_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "candidates": self.candidates, "pairs": self.pairs,
                "skipped": self.skipped,
                "methods": {k: v.as_dict() for k, v in self.methods.items()}}


def _read_table(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    if not path.is_file():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.replace(",", "\t", 1).split("\t") if "\t" not in line else line.split("\t")
        if len(parts) >= 2:
            name, idx = parts[0].strip(), parts[1].strip()
            if path.name == "time2id.txt":
                name, idx = idx, name  # "0,2025-01-01": id first
            out[idx] = name
    return out


def read_triples(path: Path, maps_from: Path | None = None
                 ) -> list[tuple[str, str, str, str | None]]:
    """``[(head name, relation name, tail name, date or None)]`` from an ICKG-style file.

    Ids resolve through the maps beside the file; a map missing there is read from
    ``maps_from`` instead (a test file copied away from its dataset still means the
    training file's entities and relations: ``evaluate_links`` passes the training
    file's folder)."""
    if not path.is_file():
        raise InvalidInput(f"no such triples file: {path}", field="path")

    def table(name: str) -> dict[str, str]:
        own = path.parent / name
        if not own.is_file() and maps_from is not None:
            log.info("%s has no %s beside it: using %s's", path, name, maps_from)
            return _read_table(maps_from / name)
        return _read_table(own)

    ents = table("entity2id.txt")
    rels = table("relation2id.txt")
    times = table("time2id.txt")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 3:
            if line.strip():
                log.warning("E230 %s:%d: not a triple, skipped", path, n)
            continue
        h, r, t = (x.strip() for x in parts[:3])
        raw = parts[3].strip() if len(parts) > 3 else ""
        when = times.get(raw, raw) or None  # an id of time2id.txt, or the date itself
        out.append((ents.get(h, h), rels.get(r, r), ents.get(t, t), when))
    return out


def chronological_split(rows: list[tuple[str, str, str, str | None]], fraction: float
                        ) -> tuple[list[tuple[str, str, str, str | None]],
                                   list[tuple[str, str, str, str | None]]]:
    """``(earlier, later)``: the triples dated before a cut (and the undated ones), and
    those dated on or after it, the cut leaving about ``fraction`` of the dated triples
    at the end."""
    if not 0 < fraction < 1:
        raise InvalidInput("the dev fraction must be between 0 and 1", field="dev")
    times = sorted(r[3] for r in rows if r[3])
    if not times:
        raise InvalidInput("the triples carry no times: no chronological split", field="dev")
    cut = times[min(len(times) - 1, int(len(times) * (1 - fraction)))]
    return ([r for r in rows if not r[3] or r[3] < cut],
            [r for r in rows if r[3] and r[3] >= cut])


def random_split(rows: list[tuple[str, str, str, str | None]], fraction: float, seed: int = 1
                 ) -> tuple[list[tuple[str, str, str, str | None]],
                            list[tuple[str, str, str, str | None]]]:
    """``(rest, held out)``: a seeded random ``fraction`` of the triples held out."""
    if not 0 < fraction < 1:
        raise InvalidInput("the dev fraction must be between 0 and 1", field="dev")
    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    held = set(order[:int(len(rows) * fraction)])
    return ([r for i, r in enumerate(rows) if i not in held],
            [r for i, r in enumerate(rows) if i in held])


def load_mapping(path: Path | None) -> dict[str, dict[str, Any]]:
    """The relation mapping: built-in, or a JSON file in ingest's mapping format
    (``seeds/mappings/ickg25.json``: ``relations: {label: {type, head, tail, reverse}}``)."""
    if path is None:
        return ICKG_MAPPING
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InvalidInput(f"cannot read mapping {path}: {e}", field="mapping") from e
    out: dict[str, dict[str, Any]] = {}
    for label, m in dict(data.get("relations", data)).items():
        out[label] = {"type": m["type"], "start": m.get("start", m.get("head")),
                      "end": m.get("end", m.get("tail")),
                      "swap": bool(m.get("swap", m.get("reverse", False)))}
    return out


def _labels(triples: Iterable[tuple[str, str, str, str | None]],
            mapping: dict[str, dict[str, Any]]) -> dict[str, str]:
    """One label per entity: the strongest role it plays (Enterprise over Industry …)."""
    label: dict[str, str] = {}
    for h, r, t, _ in triples:
        m = mapping.get(r)
        if m is None:
            continue
        a, b = (t, h) if m.get("swap") else (h, t)
        for ent, lab in ((a, m["start"]), (b, m["end"])):
            if ent not in label or LABEL_RANK.get(lab, 9) < LABEL_RANK.get(label[ent], 9):
                label[ent] = lab
    return label


def _node_id(name: str) -> str:
    return "kg:" + name


def load_triples(store: Store, triples: list[tuple[str, str, str, str | None]],
                 mapping: dict[str, dict[str, Any]], source: str) -> dict[str, str]:
    """Write entities and mapped relationships; return ``{entity name: label}``."""
    labels = _labels(triples, mapping)
    prov = {"source": source, "method": "table", "confidence": 1.0, "run_id": "eval"}
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name, lab in labels.items():
        by_label[lab].append(node_row(_node_id(name), {"name": name, **prov}))
    for lab, rows in sorted(by_label.items()):
        merge_nodes(store, lab, rows)
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for h, r, t, when in triples:
        m = mapping.get(r)
        if m is None:
            continue
        a, b = (t, h) if m.get("swap") else (h, t)
        la, lb = labels[a], labels[b]
        if a == b or la != m["start"] or lb != m["end"]:
            continue  # an end whose stronger role gave it another label
        props = {**prov, "relation": r}
        if when:
            props["since"] = when
        groups[(m["type"], la, lb)].append(rel_row(_node_id(a), _node_id(b), props, key=r))
    for (typ, la, lb), rows in sorted(groups.items()):
        merge_rels(store, typ, la, lb, rows)
    return labels


def _metrics(ranked: list[list[str]], gold: list[str]) -> Scores:
    s = Scores()
    for ids, t in zip(ranked, gold, strict=True):
        if t in ids[:10]:
            rank = ids.index(t) + 1
            s.hits10 += 1
            s.mrr += 1 / rank
            s.hits1 += rank == 1
    n = max(1, len(gold))
    return Scores(s.hits1 / n, s.hits10 / n, s.mrr / n)


def _baselines(store: Store, rel_type: str
               ) -> tuple[dict[str, set[str]], set[str], dict[str, set[str]]]:
    adj: dict[str, set[str]] = defaultdict(set)
    same: dict[str, set[str]] = defaultdict(set)
    enterprises: set[str] = set()
    for r in run(store, "eval_edges"):
        a, b = r["a"], r["b"]
        if a == b:
            continue
        adj[a].add(b)
        adj[b].add(a)
        if r["a_enterprise"]:
            enterprises.add(a)
        if r["b_enterprise"]:
            enterprises.add(b)
        if r["type"] == rel_type:
            same[a].add(b)
            same[b].add(a)
    return adj, enterprises, same


def _top_in(store: Store, eid: str, relation: str, weights: Weights | None, pool: set[str],
            most: int) -> list[str]:
    """The recommender's first 10 candidates that lie in ``pool`` (its list is asked ever
    deeper until 10 of them are in the pool or it has no more)."""
    top = 10
    while True:
        # every model of the graph evaluated, never a stale one (the figures must not
        # depend on how fast a background build runs)
        with modelcache.synchronous():
            res = rank_partners(store, eid, relation, top=top, weights=weights)
        ids = [r["id"] for r in res if r["id"] in pool]
        if len(ids) >= 10 or len(res) < top or top >= most:
            return ids[:10]
        top *= 4


def _rank_by(scores: dict[str, float], excluded: set[str]) -> list[str]:
    items = sorted(((-s, c) for c, s in scores.items() if s > 0 and c not in excluded))
    return [c for _, c in items[:10]]


def evaluate_links(train: Path, test: Path | None, relation: str = "供给",
                   mapping_path: Path | None = None, *, store_url: str | None = None,
                   weights: Weights | None = None, dev_fraction: float | None = None,
                   dev_split: str = "time", seed: int = 1, candidates: str = "partners",
                   progress: Callable[[int, int], None] | None = None) -> EvalReport:
    """Run the evaluation described in the module docstring and return its report."""
    if candidates not in CANDIDATE_SETS:
        raise InvalidInput(f"the candidates are one of {', '.join(CANDIDATE_SETS)}",
                           field="candidates")
    mapping = load_mapping(mapping_path)
    if relation not in mapping:
        raise InvalidInput(f"relation {relation!r} is not in the mapping", field="relation")
    rel_type = mapping[relation]["type"]
    if rel_type not in ASK:
        raise InvalidInput(f"{relation!r} maps to {rel_type}, which the recommender does not "
                           "predict", field="relation")
    train_rows = read_triples(train)
    if dev_split not in ("time", "random"):
        raise InvalidInput("the dev split is 'time' or 'random'", field="dev_split")
    if dev_fraction is not None and dev_split == "random":
        train_rows, later = random_split(train_rows, dev_fraction, seed)
    elif dev_fraction is not None:
        train_rows, later = chronological_split(train_rows, dev_fraction)
    elif test is None:
        raise InvalidInput("give a test file or a dev fraction", field="test")
    else:
        later = read_triples(test, maps_from=train.parent)
    test_rows = [t for t in later if t[1] == relation]
    if not test_rows:
        seen = Counter(t[1] for t in later).most_common(5)
        raise InvalidInput(f"no {relation} triples to evaluate; the held-out triples' "
                           f"relations are {', '.join(f'{r} ({n})' for r, n in seen) or 'none'}"
                           " (ids a relation2id.txt should name?)", field="test")
    # tie graphs built in the requests: no build thread left reading the store closed below
    with tempfile.TemporaryDirectory(prefix="ronglian-eval-") as tmp, tiegraph.synchronous():
        store = open_store(store_url or f"embedded://{tmp}/store")
        try:
            if store_url:
                store.clear()
            store.apply_schema()
            clear_cache()
            labels = load_triples(store, train_rows, mapping, str(train))
            adj, enterprises, same = _baselines(store, rel_type)
            pool = (enterprises if candidates == "all"
                    else {n for n, tied in same.items() if tied} & enterprises)
            pairs: list[tuple[str, str]] = []
            skipped: Counter[str] = Counter()
            for h, _r, t, _w in test_rows:
                a, b = (t, h) if mapping[relation].get("swap") else (h, t)
                ia, ib = _node_id(a), _node_id(b)
                if labels.get(a) != "Enterprise" or labels.get(b) != "Enterprise":
                    skipped["unknown end"] += 1
                elif candidates == "partners" and ib not in pool:
                    skipped["tail not a partner in training"] += 1
                elif ib in same.get(ia, set()):
                    skipped["already tied in training"] += 1
                elif (ia, ib) in pairs:
                    skipped["duplicate"] += 1
                else:
                    pairs.append((ia, ib))
            report = EvalReport(relation, len(pairs), dict(skipped), candidates=candidates)
            gold = [b for _, b in pairs]
            ours: list[list[str]] = []
            aa: list[list[str]] = []
            cn: list[list[str]] = []
            pa: list[list[str]] = []
            deg = {n: len(s) for n, s in adj.items()}
            pa_scores = {c: float(deg.get(c, 0)) for c in pool}
            for i, (a, _b) in enumerate(pairs):
                ours.append(_top_in(store, a, ASK[rel_type], weights, pool, len(pool)))
                excluded = {a} | same.get(a, set())
                s_aa: dict[str, float] = defaultdict(float)
                s_cn: dict[str, float] = defaultdict(float)
                for z in adj.get(a, ()):
                    wz = 1 / math.log(deg[z]) if deg[z] > 1 else 0.0
                    for c in adj[z]:
                        if c in pool:
                            s_aa[c] += wz
                            s_cn[c] += 1
                aa.append(_rank_by(s_aa, excluded))
                cn.append(_rank_by(s_cn, excluded))
                pa.append(_rank_by(pa_scores, excluded))
                if progress:
                    progress(i + 1, len(pairs))
            report.methods = {"ronglian": _metrics(ours, gold), "adamic_adar": _metrics(aa, gold),
                              "common_neighbours": _metrics(cn, gold),
                              "preferential_attachment": _metrics(pa, gold)}
            return report
        finally:
            store.close()
