"""mineralflow: critical-mineral trade flows, the export controls that move them, and what the
news says about them, every number traced to its source.

The public API, in the order of a session::

    >>> import mineralflow
    >>> ledger = mineralflow.open_ledger("mineralflow.duckdb")          # doctest: +SKIP
    >>> ledger.load_bundled()                                           # doctest: +SKIP
    >>> ledger.figures_df(product="rare-earth-magnets", period="2025-06")  # doctest: +SKIP
    >>> mineralflow.check(ledger, product="rare-earth-magnets").conflicts  # doctest: +SKIP
    >>> mineralflow.build_brief(ledger, product="rare-earth-magnets",
    ...                         period="2025-06").to_markdown()         # doctest: +SKIP

Official statistics files (UN Comtrade, China customs, Eurostat Comext) become releases with
vintages; :mod:`mineralflow.releases` answers which is in force, :mod:`mineralflow.mirror`
sets exporter against importer::

    >>> mineralflow.ingest(ledger, ["2025年出口85051110_美元.csv"])    # doctest: +SKIP

Articles by URL, outlets' feeds and the UN Comtrade API are in :mod:`mineralflow.fetch`
(imported on its own: it loads httpx)::

    >>> from mineralflow.fetch import Cache, watch                      # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import Country, Product, countries, partner_name, product, products, resolve_partner
from .errors import (
    InputError,
    LedgerError,
    LedgerNotFound,
    LedgerReadOnly,
    MineralflowError,
    NoData,
    PeriodError,
    SchemaError,
    UnknownPartner,
    UnknownProduct,
    UnknownRelease,
    UsageError,
)
from .ledger import Ledger, LoadReport, default_path
from .periods import Month, Period

if TYPE_CHECKING:
    from .brief import Brief, build_brief
    from .claims import Claim, ClaimsReport, extract_claims, outlet_view, read_claims, save_claims
    from .ingestion import FileReport, IngestReport, ingest
    from .reconcile import Reconciliation
    from .reconcile import reconcile as check

# The rest of the public API is imported when first used (PEP 562): a command that only
# reads the catalog, or `mineralflow --help`, does not wait for Ibis, pandas or the claim
# rules to load.
_LAZY = {
    "Brief": ("brief", "Brief"),
    "build_brief": ("brief", "build_brief"),
    "Claim": ("claims", "Claim"),
    "ClaimsReport": ("claims", "ClaimsReport"),
    "extract_claims": ("claims", "extract_claims"),
    "outlet_view": ("claims", "outlet_view"),
    "read_claims": ("claims", "read_claims"),
    "save_claims": ("claims", "save_claims"),
    "FileReport": ("ingestion", "FileReport"),
    "IngestReport": ("ingestion", "IngestReport"),
    "ingest": ("ingestion", "ingest"),
    "Reconciliation": ("reconcile", "Reconciliation"),
    "check": ("reconcile", "reconcile"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        value = getattr(import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "Brief",
    "Claim",
    "ClaimsReport",
    "Country",
    "FileReport",
    "IngestReport",
    "InputError",
    "Ledger",
    "LedgerError",
    "LedgerNotFound",
    "LedgerReadOnly",
    "LoadReport",
    "MineralflowError",
    "Month",
    "NoData",
    "Period",
    "PeriodError",
    "Product",
    "Reconciliation",
    "SchemaError",
    "UnknownPartner",
    "UnknownProduct",
    "UnknownRelease",
    "UsageError",
    "build_brief",
    "check",
    "countries",
    "default_path",
    "extract_claims",
    "ingest",
    "open_ledger",
    "outlet_view",
    "partner_name",
    "product",
    "products",
    "read_claims",
    "resolve_partner",
    "save_claims",
]


def open_ledger(path: Path | str | None = None, *, read_only: bool = False) -> Ledger:
    """Open the ledger at ``path`` (default: ``$MINERALFLOW_DB`` or ``mineralflow.duckdb``)."""
    return Ledger.open(path, read_only=read_only)
