"""Every setting is documented in README.md (datasette's habit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_docs_setting_is_in_readme(name: str) -> None:
    assert f"`RONGLIAN_{name.upper()}`" in README


def test_docs_readme_has_two_commands_and_chinese_section() -> None:
    assert "make demo" in README and "make test" in README
    assert "## 中文说明" in README
