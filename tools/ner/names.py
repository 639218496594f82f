"""Write the company-name list behind the model's lexicon feature (step 1b of train.sh).

Short and full names of the A-share listed companies (ChainKnowledgeGraph's
``company.json``: one JSON object a line with ``name`` and ``fullname``), one
name a line. The list is read at training time and saved inside the trained
pipeline (``tokenizer/company_names.txt``), so the shipped model carries it.

usage: python tools/ner/names.py COMPANY_JSONL OUT_TXT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


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


def main() -> None:
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    names = company_names(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(names) + "\n", encoding="utf-8")
    print(f"{out}: {len(names)} names")


if __name__ == "__main__":
    main()
