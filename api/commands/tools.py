"""Self-check tools: ``ronglian classify`` (企业划型) and ``ronglian uscc`` (统一社会信用代码).

Options and output only; the work is :func:`ingest.sizeclass.classify` and
:func:`ingest.uscc.validate`. A user mistake ends in one line on stderr and exit
code 1; ``uscc`` also exits 1 when the code is invalid, so scripts can test it.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from graph.errors import RonglianError


def _fail(e: RonglianError) -> typer.Exit:
    typer.echo(f"error: {e}", err=True)
    return typer.Exit(1)


def _dump(data: dict[str, Any]) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def register(app: typer.Typer) -> None:
    @app.command()
    def classify(
        industry: Annotated[str, typer.Option(
            "--industry", "-i", help="GB/T 4754-2017 code, with or without its section letter "
            "(3130 or C3130).")],
        employees: Annotated[int | None, typer.Option(
            "--employees", "-e", help="从业人员 (persons).")] = None,
        revenue: Annotated[float | None, typer.Option(
            "--revenue", "-r", help="营业收入, 万元.")] = None,
        assets: Annotated[float | None, typer.Option(
            "--assets", "-a", help="资产总额, 万元.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """企业划型: size class by the 2011 SME rules (工信部联企业〔2011〕300号)."""
        from ingest.sizeclass import INDICATOR_UNIT, INDICATOR_ZH
        from ingest.sizeclass import classify as run

        try:
            r = run(industry, employees=employees, revenue=revenue, total_assets=assets)
        except RonglianError as e:
            raise _fail(e) from None
        if as_json:
            _dump(r.to_dict())
            return
        typer.echo(f"{r.size_class} ({r.size_class_en})")
        typer.echo(f"行业 industry: {r.industry_code} {r.industry_name} → "
                   f"{r.sector or '不适用 (not covered)'}")
        if r.inputs_used:
            used = "，".join(f"{INDICATOR_ZH[k]} {_num(v)}{INDICATOR_UNIT[k]}"
                            for k, v in r.inputs_used.items())
            typer.echo(f"依据 inputs: {used}")
        if r.rule:
            typer.echo(f"规则 rule: {r.rule}")
        if r.reason:
            typer.echo(f"原因 reason: {r.reason}")

    @app.command()
    def uscc(
        code: Annotated[str, typer.Argument(help="统一社会信用代码 (18 characters).")],
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """统一社会信用代码校验 (GB 32100-2015): check a USCC and explain its parts."""
        from ingest.uscc import validate

        r = validate(code)
        if as_json:
            _dump(r.to_dict())
        else:
            typer.echo(f"{'有效 valid' if r.valid else '无效 invalid'}: {r.code}")
            typer.echo(f"结果 reason: {r.reason}")
            for note in r.notes:
                typer.echo(f"说明 note: {note}")
            if r.authority_code is not None:
                typer.echo(f"登记管理部门 authority: {r.authority_code} "
                           f"{r.authority_name or '未定义'}")
                typer.echo(f"机构类别 entity type: {r.entity_type_code} "
                           f"{r.entity_type_name or '—'}")
                typer.echo(f"登记机关区划 region: {r.region_code} {r.region_name or '—'}")
                org_ok = "校验通过" if r.org_code_check_ok else "校验不符"
                typer.echo(f"主体标识码 organisation code: {r.org_code} ({org_ok})")
        if not r.valid:
            raise typer.Exit(1)
