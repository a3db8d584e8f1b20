"""How concentrated a flow is: HHI of an exporter's destinations and of an importer's
suppliers, and an importer's dependence on one supplier.

The Herfindahl-Hirschman index of a group of partners is the sum of their squared
percentage shares, 0 to 10,000 (10,000: a single partner; 2,500: four equal partners)::

    HHI = sum_i (100 * v_i / V)^2 = 10,000 * sum_i v_i^2 / (sum_i v_i)^2

over the country partners with a level that month (``V`` is their sum). Where sources name
only a few partners the index describes those partners: read it with ``coverage_pct``.

An importer's suppliers come from its own import reports where present and, for the
pairs it does not report, from the suppliers' export reports (mirror data), marked in
``basis``. Exporters report free on board and importers cost, insurance and freight, and
shipping takes weeks, so mirror quantities match reported ones only roughly.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from ._series import GROUP, SERIES, core
from .destinations import WORLD, countries_only

__all__ = [
    "concentration",
    "dependence",
    "destination_concentration",
    "imports_with_mirror",
    "supplier_concentration",
]


def concentration(levels: ir.Table, partners: ir.Table) -> ir.Table:
    """HHI of the country partners of each reporter, product, flow and month.

    Columns: ``reporter``, ``product``, ``flow``, ``period``, ``partners`` (countries with
    a level), ``covered_value`` (their sum), ``hhi``, ``total_value`` (the level stated for
    the world, null when not stated) and ``coverage_pct`` = 100 x covered / total.
    """
    t = core(countries_only(levels, partners))
    g = t.group_by([*GROUP, "period"]).aggregate(
        partners=t.value.count(),
        covered_value=t.value.sum(),
        _sq=(t.value * t.value).sum(),
    )
    hhi = ibis.ifelse(
        g.covered_value > 0, 10_000 * g._sq / (g.covered_value * g.covered_value), ibis.null()
    )
    g = g.mutate(hhi=hhi.cast("float64")).drop("_sq")
    lv = core(levels)
    world = lv.filter(lv.partner == WORLD).select(
        **{f"_w_{k}": lv[k] for k in GROUP}, _wp=lv.period, total_value=lv.value
    )
    on = [g[k] == world[f"_w_{k}"] for k in GROUP] + [g.period == world._wp]
    j = g.left_join(world, on)
    coverage = ibis.ifelse(j.total_value > 0, 100 * j.covered_value / j.total_value, ibis.null())
    return j.select(
        *GROUP,
        "period",
        "partners",
        "covered_value",
        "hhi",
        "total_value",
        coverage_pct=coverage.cast("float64"),
    )


def destination_concentration(levels: ir.Table, partners: ir.Table) -> ir.Table:
    """HHI of each exporter's destinations (:func:`concentration` of export rows)."""
    return concentration(levels.filter(levels.flow == "export"), partners)


def imports_with_mirror(levels: ir.Table, partners: ir.Table) -> ir.Table:
    """Country-to-country import rows: reported by the importer, else mirrored.

    A mirror row is a supplier's export to the importer read as the importer's import
    (reporter and partner swapped, flow ``import``); it is used only for an importer,
    supplier, product and month the importer does not report. The levels-shaped result
    has an extra ``basis`` column, ``reported`` or ``mirror``.
    """
    lv = core(levels)
    reported = countries_only(lv.filter(lv.flow == "import"), partners).mutate(
        basis=ibis.literal("reported")
    )
    exports = countries_only(lv.filter(lv.flow == "export"), partners)
    countries = partners.filter(partners.kind == "country").select(_c=partners.code)
    exports = exports.semi_join(countries, exports.reporter == countries._c)
    mirrored = exports.select(
        reporter=exports.partner,
        partner=exports.reporter,
        product=exports.product,
        flow=ibis.literal("import"),
        period=exports.period,
        value=exports.value,
        basis=ibis.literal("mirror"),
    )
    keys = reported.select(
        _r=reported.reporter, _p=reported.partner, _pr=reported.product, _d=reported.period
    )
    mirrored = mirrored.anti_join(
        keys,
        [
            mirrored.reporter == keys._r,
            mirrored.partner == keys._p,
            mirrored.product == keys._pr,
            mirrored.period == keys._d,
        ],
    )
    return reported.select(*SERIES, "period", "value", "basis").union(
        mirrored.select(*SERIES, "period", "value", "basis")
    )


def supplier_concentration(levels: ir.Table, partners: ir.Table) -> ir.Table:
    """HHI of each importer's suppliers, from reported imports and mirror data.

    :func:`concentration` of :func:`imports_with_mirror`, plus ``mirrored`` (how many of the
    suppliers come from mirror data). ``total_value`` is the importer's reported imports
    from the world, when stated.
    """
    imports = imports_with_mirror(levels, partners)
    lv = core(levels)
    world = lv.filter((lv.flow == "import") & (lv.partner == WORLD))
    base = concentration(imports.select(*SERIES, "period", "value").union(world), partners)
    m = imports.group_by(["reporter", "product", "period"]).aggregate(
        mirrored=(imports.basis == "mirror").sum().cast("int64")
    )
    m = m.rename(_mr="reporter", _mp="product", _md="period")
    j = base.left_join(m, [base.reporter == m._mr, base.product == m._mp, base.period == m._md])
    return j.drop("_mr", "_mp", "_md")


def dependence(levels: ir.Table, partners: ir.Table, *, supplier: str) -> ir.Table:
    """Each importer's dependence on ``supplier``: its share of the importer's imports.

    Columns: ``reporter`` (the importer), ``product``, ``period``, ``supplier``, ``value``
    (imports from the supplier), ``basis`` (reported or mirror), ``total_value``,
    ``total_basis`` (``world``: the importer's stated imports from the world; ``partners``:
    the sum of its suppliers with a level, which overstates dependence when suppliers are
    missing) and ``share_pct``.
    """
    imports = imports_with_mirror(levels, partners)
    sums = imports.group_by(["reporter", "product", "period"]).aggregate(_sum=imports.value.sum())
    lv = core(levels)
    world = lv.filter((lv.flow == "import") & (lv.partner == WORLD)).select(
        _wr=lv.reporter, _wp=lv.product, _wd=lv.period, _world=lv.value
    )
    one = imports.filter(imports.partner == supplier)
    sums = sums.rename(_sr="reporter", _sp="product", _sd="period")
    j = one.join(sums, [one.reporter == sums._sr, one.product == sums._sp, one.period == sums._sd])
    j = j.left_join(world, [j.reporter == world._wr, j.product == world._wp, j.period == world._wd])
    total = j._world.fill_null(j._sum)
    return j.select(
        "reporter",
        "product",
        "period",
        supplier=j.partner,
        value=j.value,
        basis=j.basis,
        total_value=total,
        total_basis=ibis.ifelse(j._world.notnull(), "world", "partners"),
        share_pct=ibis.ifelse(total > 0, 100 * j.value / total, ibis.null()).cast("float64"),
    )
