"""The mirror view: what the exporter reports against what the importers report.

China's customs record exports of 85051110 to Germany; Germany (through Eurostat Comext)
records imports from China of the EU's CN 85051110. The two rarely agree to the kilogram, and
the gap is information. :func:`mirror` is a pure function over an Ibis flows table (use
:func:`mineralflow.releases.flows_in_force`), so it runs on any Ibis backend; it needs only
the catalog, no ledger::

    >>> from mineralflow import Ledger
    >>> from mineralflow.releases import flows_in_force
    >>> with Ledger.open(read_only=True) as ledger:                       # doctest: +SKIP
    ...     mirror(flows_in_force(ledger), product="rare-earth-magnets").execute()

Rows: one per importer and period where both sides state a quantity, plus ``EU27``, the sum
over the EU members present on both sides that month when there are two or more (``members``
says how many; it is never the EU total unless all 27 are there). ``gap_pct`` is importer
minus exporter, over exporter. Values are compared only when both sides use the same
currency.

The exporter side uses the product's exact codes (China's CN8 85051110); the importer side
adds its ``mirror`` codes (the EU's CN8 85051110). When two publishers state the same side of
the same month (Eurostat and UN Comtrade for Germany), the regional or national publisher is
used and UN Comtrade left out, so nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis
    import pandas as pd

from . import catalog
from .periods import Period

if TYPE_CHECKING:
    from .ledger import Ledger

__all__ = ["MIRROR_NOTE", "mirror", "mirror_df"]

MIRROR_NOTE = (
    "Importers record goods at CIF value (cost, insurance and freight to their border) and "
    "exporters at FOB value (free on board at departure), so importer values run higher for "
    "the same goods; quantities carry no such markup. Goods are counted by the exporter when "
    "they leave and by the importer when they arrive weeks later, so one month's gap partly "
    "reflects shipping time: compare several months, or set a lag. The two sides also use "
    "their own nomenclatures (China's 85051110 is not the EU's CN 85051110) and may attribute "
    "goods shipped through a third country differently."
)

# Which publisher speaks for a side when several do (lower first).
PREFERENCE = {"UN Comtrade": 1}


def _coded(t: ibis.Table, pairs: list[tuple[str, str]]) -> Any:
    import ibis

    tests = [(t.classification == cl) & (t.product_code == code) for cl, code in pairs]
    return reduce(lambda a, b: a | b, tests) if tests else ibis.literal(False)


def _one_publisher(t: ibis.Table, keys: list[str]) -> ibis.Table:
    import ibis

    rank = t.publisher.cases(*PREFERENCE.items(), else_=0)
    t = t.mutate(_pref=rank)
    w = ibis.window(group_by=keys, order_by=[t._pref, t.publisher])
    t = t.mutate(_n=ibis.dense_rank().over(w))
    return t.filter(t._n == 0).drop("_pref", "_n")


def mirror(
    flows: ibis.Table, *, product: str, exporter: str = "CHN", lag_months: int = 0
) -> ibis.Table:
    """Exporter-reported against importer-reported quantities and values of ``product``,
    per importer and period (months and years alike).

    ``flows`` needs the flows columns and ``publisher`` (as :func:`flows_in_force` gives).
    With ``lag_months`` the importer's month m is set against the exporter's month
    m - lag (goods recorded on arrival).
    """
    import ibis

    p = catalog.product(product)
    exact = [(cl, code) for cl, code, rel in p.codes if rel == "exact"]
    wider = [(cl, code) for cl, code, rel in p.codes if rel in ("exact", "mirror")]
    keys = ["importer", "period", "period_end"]

    x = flows.filter((flows.reporter == exporter) & (flows.flow == "export") & _coded(flows, exact))
    x = x.group_by([x.publisher, x.partner.name("importer"), x.period, x.period_end]).aggregate(
        exporter_kg=x.quantity_kg.sum(),
        exporter_value=x.value.sum(),
        exporter_currency=x.currency.max(),
        exporter_release=x.release_id.max(),
    )
    x = _one_publisher(x, keys).drop("publisher")

    m = flows.filter((flows.partner == exporter) & (flows.flow == "import") & _coded(flows, wider))
    if lag_months:
        shift = ibis.interval(months=lag_months)
        m = m.mutate(
            period=(m.period - shift).cast("date"), period_end=(m.period_end - shift).cast("date")
        )
    m = m.group_by([m.publisher, m.reporter.name("importer"), m.period, m.period_end]).aggregate(
        importer_kg=m.quantity_kg.sum(),
        importer_value=m.value.sum(),
        importer_currency=m.currency.max(),
        importer_release=m.release_id.max(),
    )
    m = _one_publisher(m, keys).drop("publisher")

    both = x.inner_join(m, keys)
    both = both.filter(both.exporter_kg.notnull() & both.importer_kg.notnull())
    both = both.mutate(members=ibis.literal(1, "int64"))
    members = [
        r["member"] for r in catalog.read_table("aggregate_members.csv") if r["aggregate"] == "EU27"
    ]
    eu = both.filter(both.importer.isin(members))
    eu = eu.group_by(["period", "period_end"]).aggregate(
        exporter_kg=eu.exporter_kg.sum(),
        exporter_value=eu.exporter_value.sum(),
        exporter_currency=eu.exporter_currency.max(),
        exporter_release=eu.exporter_release.max(),
        importer_kg=eu.importer_kg.sum(),
        importer_value=eu.importer_value.sum(),
        importer_currency=eu.importer_currency.max(),
        importer_release=eu.importer_release.max(),
        members=eu.importer.nunique().cast("int64"),
        _currencies=eu.exporter_currency.nunique() + eu.importer_currency.nunique(),
    )
    eu = eu.filter(eu.members >= 2)  # one member alone is already its own line
    # Sum values only when every member used one currency a side.
    eu = eu.mutate(
        exporter_value=(eu._currencies == 2).ifelse(eu.exporter_value, ibis.null("float64")),
        importer_value=(eu._currencies == 2).ifelse(eu.importer_value, ibis.null("float64")),
        importer=ibis.literal("EU27"),
    ).drop("_currencies")
    columns = [
        "importer",
        "period",
        "period_end",
        "members",
        "exporter_kg",
        "importer_kg",
        "exporter_value",
        "exporter_currency",
        "importer_value",
        "importer_currency",
        "exporter_release",
        "importer_release",
    ]
    t = both.select(*columns).union(eu.select(*columns))
    same_currency = t.exporter_currency == t.importer_currency
    return t.mutate(
        gap_kg=t.importer_kg - t.exporter_kg,
        gap_pct=(t.importer_kg - t.exporter_kg) / t.exporter_kg * 100,
        value_gap_pct=same_currency.ifelse(
            (t.importer_value - t.exporter_value) / t.exporter_value * 100,
            ibis.null("float64"),
        ),
    ).order_by(["period", t.importer == "EU27", "importer"])


def mirror_df(
    ledger: Ledger,
    *,
    product: str,
    exporter: str = "CHN",
    period: str | None = None,
    lag: int = 0,
    as_of: str | dt.date | None = None,
) -> pd.DataFrame:
    """:func:`mirror` over the ledger's flows in force (as published on ``as_of``), for the
    months of ``period`` (all when None), as a DataFrame."""
    from .releases import flows_in_force

    t = mirror(
        flows_in_force(ledger, as_of=as_of), product=product, exporter=exporter, lag_months=lag
    )
    if period is not None:
        p = Period.parse(period)
        t = t.filter((t.period >= p.start.first_day) & (t.period_end <= p.end.first_day))
    df: pd.DataFrame = t.execute()
    return df
