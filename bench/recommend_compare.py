"""Answer comparison for the recommender: run the same requests through two code paths (or
two checkouts) and count the answers that differ.

    # dump answers (the tie graph path; --cypher: the Cypher queries only)
    python bench/recommend_compare.py dump --store embedded:///tmp/x/embedded-100000 \\
        --seeds /tmp/x/seeds-100000 --n 240 --out /tmp/fast.json [--cypher]
    # another checkout: PYTHONPATH=/tmp/old python /work/wtN/bench/recommend_compare.py dump …
    python bench/recommend_compare.py compare /tmp/fast.json /tmp/slow.json

Requests (``--n``, chosen with a fixed seed from the generated ``enterprises.csv`` and
``needs.csv``): all four relations in turn; the enterprise named by id, USCC or full name
in turn; every fifth with a region (a code or a prefix), SUPPLIES/COOPERATES_WITH ones
every seventh with a need (a Need id of the enterprise, else a product word). Errors are
recorded as answers (their class and message). Not a test.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

RELATIONS = ("SUPPLIES", "SUPPLIED_BY", "COOPERATES_WITH", "INVESTS_IN")


def cases(seeds: Path, n: int) -> list[dict[str, Any]]:
    with (seeds / "demo" / "enterprises.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    needs: dict[str, list[str]] = {}
    with (seeds / "demo" / "needs.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            needs.setdefault(r["enterprise"], []).append(r["id"])
    rng = random.Random(2026)
    # firms with needs are over-sampled: a third of the picks
    with_needs = [r for r in rows if r["id"] in needs]
    picks = rng.sample(rows, n - n // 3) + rng.sample(with_needs, n // 3)
    rng.shuffle(picks)
    words = ["钢", "水泥", "氢", "港口", "化工", "玻璃", "装备"]
    out = []
    for k, r in enumerate(picks):
        relation = RELATIONS[k % 4]
        key = (r["id"], r["uscc"] or r["id"], r["name"])[k % 3]
        case: dict[str, Any] = {"enterprise": key, "relation": relation, "top": 10}
        if k % 5 == 0:
            case["region"] = (r["region_code"], r["region_code"][:4], "13")[k // 5 % 3]
        if relation in ("SUPPLIES", "COOPERATES_WITH") and k % 7 == 0:
            case["need"] = needs[r["id"]][0] if r["id"] in needs else words[k % len(words)]
        out.append(case)
    return out


def dump(args: argparse.Namespace) -> None:
    from graph.store import open_store
    from queries import recommend

    try:
        from queries import tiegraph

        tiegraph.BACKGROUND = False  # the first request builds the graph: all use it
        tiegraph.ENABLED = not args.cypher
    except ImportError:  # a checkout from before the tie graph
        pass
    store = open_store(args.store)
    answers: list[dict[str, Any]] = []
    try:
        for case in cases(args.seeds, args.n):
            try:
                answers.append({"case": case, "answer": recommend.recommend_partners(store,
                                                                                    **case)})
            except Exception as e:  # an error is an answer too
                answers.append({"case": case, "error": f"{type(e).__name__}: {e}"})
        agg = recommend._current(store)
        graph = getattr(getattr(agg, "ties", None), "graph", None)
        print(f"{len(answers)} answers; tie graph used: {graph is not None}", flush=True)
    finally:
        store.close()
    args.out.write_text(json.dumps(answers, ensure_ascii=False, indent=0), encoding="utf-8")


def compare(args: argparse.Namespace) -> None:
    a = json.loads(args.a.read_text(encoding="utf-8"))
    b = json.loads(args.b.read_text(encoding="utf-8"))
    assert [x["case"] for x in a] == [x["case"] for x in b], "different requests"
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    errors = sum("error" in x for x in a)
    print(f"{len(a)} requests ({errors} answered with an error in both or one), "
          f"{len(diff)} differ")
    for x, y in diff[:args.show]:
        print("case", x["case"])
        ra = x.get("answer", {}).get("results", x.get("error"))
        rb = y.get("answer", {}).get("results", y.get("error"))
        if isinstance(ra, list) and isinstance(rb, list):
            for i, (p, q) in enumerate(zip(ra, rb, strict=False)):
                if p != q:
                    print(f"  #{i}: {p}\n   vs {q}")
            if len(ra) != len(rb):
                print(f"  lengths {len(ra)} vs {len(rb)}")
        else:
            print(f"  {ra}\n   vs {rb}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--store", required=True)
    d.add_argument("--seeds", type=Path, required=True)
    d.add_argument("--n", type=int, default=240)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--cypher", action="store_true", help="the Cypher queries only")
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    c.add_argument("--show", type=int, default=5)
    args = ap.parse_args()
    dump(args) if args.cmd == "dump" else compare(args)


if __name__ == "__main__":
    main()
