"""The graph's controlled vocabularies (``graph/MODEL.md``): the values ``Enterprise``'s
``size_class`` and ``tiers`` hold. Ingest writes them, queries and the chain maps read
them; each takes them from here, so the lists cannot drift apart."""

from __future__ import annotations

from typing import Literal

SizeClass = Literal["大型", "中型", "小型", "微型", "未划型"]
#: The size classes of the 2011 SME rules (企业划型), largest first.
SIZE_CLASSES: tuple[SizeClass, ...] = ("大型", "中型", "小型", "微型")
#: The size class of a firm the rules cannot place (figures missing).
UNDETERMINED: SizeClass = "未划型"
#: The enterprise tiers (梯度培育 and leading-firm lists) a firm can be listed in.
TIERS: tuple[str, ...] = ("链主企业", "专精特新中小企业", "专精特新小巨人", "制造业单项冠军",
                          "高新技术企业")

#: What a spreadsheet or a search filter may write for a size class (the class itself, its
#: one-character and 企业 forms), mapped to the class.
SIZE_NAMES: dict[str, str] = {s: s for s in (*SIZE_CLASSES, UNDETERMINED)}
SIZE_NAMES.update({"大": "大型", "中": "中型", "小": "小型", "微": "微型", "大型企业": "大型",
                   "中型企业": "中型", "小型企业": "小型", "微型企业": "微型",
                   "undetermined": "未划型"})
#: What a spreadsheet or a search filter may write for a tier (the tier itself and the short
#: forms lists use), mapped to the tier.
TIER_NAMES: dict[str, str] = {t: t for t in TIERS}
TIER_NAMES.update({"链主": "链主企业", "龙头": "链主企业", "龙头企业": "链主企业",
                   "链主/龙头企业": "链主企业", "专精特新": "专精特新中小企业",
                   "小巨人": "专精特新小巨人", "专精特新\"小巨人\"": "专精特新小巨人",
                   "单项冠军": "制造业单项冠军", "高新": "高新技术企业",
                   "高新技术": "高新技术企业"})
