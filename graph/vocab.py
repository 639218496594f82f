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
