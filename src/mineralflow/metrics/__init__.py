"""Trade metrics as pure functions from Ibis tables to Ibis tables.

No function here names an engine: the same expression runs on DuckDB (the default) and on
Apache Spark (see :mod:`mineralflow.engines`). Formulas, units and caveats are in
``docs/metrics.md``. The input of most metrics is a *levels* table, one row per series and
month (``reporter, partner, product, flow, period, value``), which
:func:`monthly_levels` builds from the ledger's figures::

    >>> import mineralflow.metrics as m                                   # doctest: +SKIP
    >>> levels = m.monthly_levels(ledger.table("figures_v"))              # doctest: +SKIP
    >>> m.shares(levels).filter(lambda t: t.partner == "DEU").execute()   # doctest: +SKIP
"""

from ._series import GROUP, LEVELS_SCHEMA, SERIES, month_index
from .anomalies import gaps, surges
from .brief import BRIEF_METRICS, brief_metrics
from .changes import (
    change,
    change_mom,
    change_yoy,
    cumulative_yoy,
    first_months,
    year_to_date,
)
from .concentration import (
    concentration,
    dependence,
    destination_concentration,
    imports_with_mirror,
    supplier_concentration,
)
from .destinations import WORLD, countries_only, ranks, shares
from .events import LINKS, diversion, event_summary, event_windows
from .inputs import PROVENANCE, monthly_levels

__all__ = [
    "BRIEF_METRICS",
    "GROUP",
    "LEVELS_SCHEMA",
    "LINKS",
    "PROVENANCE",
    "SERIES",
    "WORLD",
    "brief_metrics",
    "change",
    "change_mom",
    "change_yoy",
    "concentration",
    "countries_only",
    "cumulative_yoy",
    "dependence",
    "destination_concentration",
    "diversion",
    "event_summary",
    "event_windows",
    "first_months",
    "gaps",
    "imports_with_mirror",
    "month_index",
    "monthly_levels",
    "ranks",
    "shares",
    "supplier_concentration",
    "surges",
    "year_to_date",
]
