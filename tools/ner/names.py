"""Write the company-name list behind the model's lexicon feature (step 1b of train.sh).

Short and full names of the A-share listed companies (ChainKnowledgeGraph's
``company.json``: one JSON object a line with ``name`` and ``fullname``), one
name a line. With ``--ickg DIR`` also the firms of ICKG-25 (``entity2id.txt``):
the entities that take part as a firm in its relations (head of 涉足行业, 归属于行业,
持有专利, 投资; either side of 合作, 并购, 母公司/控股, 竞争, 合资). ICKG was
machine-extracted from news, so its list is noisy (支付机构, 电机制造); the model
learns how far to trust a hit. The list is read at training time and saved inside
the trained pipeline (``tokenizer/company_names.txt``), so the shipped model
carries it.

usage: python tools/ner/names.py COMPANY_JSONL OUT_TXT [--ickg DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: ICKG relation ids whose head is a firm, and those whose both ends are firms
_ICKG_HEAD_FIRM = {0, 1, 5, 8}
_ICKG_BOTH_FIRMS = {3, 7, 9, 10, 12}


def company_names(path: Path) -> list[str]:
    names: set[str] = set()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            for key in ("name", "fullname"):
                value = str(row.get(key) or "").strip().replace(" ", "")
                if len(value) >= 2:
                    names.add(value)
    return sorted(names)


def ickg_firms(folder: Path) -> list[str]:
    """Names of ICKG-25 entities that appear as a firm in a relation."""
    by_id: dict[str, str] = {}
    for line in (folder / "entity2id.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 2:
            by_id[parts[1]] = parts[0]
    firms: set[str] = set()
    for split in ("train.txt", "valid.txt"):
        for line in (folder / split).read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) < 3:
                continue
            head, rel, tail = parts[0], int(parts[1]), parts[2]
            if rel in _ICKG_HEAD_FIRM or rel in _ICKG_BOTH_FIRMS:
                firms.add(by_id.get(head, ""))
            if rel in _ICKG_BOTH_FIRMS:
                firms.add(by_id.get(tail, ""))
    return sorted(n.replace(" ", "") for n in firms if 2 <= len(n.replace(" ", "")) <= 30)


def main() -> None:
    args = sys.argv[1:]
    ickg = None
    if "--ickg" in args:
        i = args.index("--ickg")
        ickg = Path(args[i + 1])
        del args[i:i + 2]
    source, out = Path(args[0]), Path(args[1])
    names = set(company_names(source))
    if ickg is not None:
        names.update(ickg_firms(ickg))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    print(f"{out}: {len(names)} names")


if __name__ == "__main__":
    main()
