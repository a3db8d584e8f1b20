"""The monthly brief: what the ledger says about one product in one month, with sources.

The brief composes its own sentences from the ledger's figures; every figure carries the
numbers of the sources that state it, and the source list resolves each number::

    >>> with Ledger.open(read_only=True) as ledger:          # doctest: +SKIP
    ...     print(build_brief(ledger, product="rare-earth-magnets", period="2025-06").to_markdown())

Every figure shown is the reconciler's best estimate for its cell (:func:`mineralflow.check`:
an official release first, then the figure that passes the most checks, then the most
precise, then the strongest source), citing every source whose
figure agrees within rounding; a figure that disagrees beyond rounding is shown beside it.
A figure the checks name as most likely wrong is marked ⚠, and the Checks section lists the
reconciler's checks for the month: every failed one with the figure it blames, and the
stated changes, totals and ranks that hold.

An official release (``mineralflow ingest``) is the strongest source, so its figure leads its
cell and the reconciler checks every other source's figure for that cell against it;
``as_of`` shows the official figures as published on a day. When importers report the same
flow, a mirror section sets their figures beside the exporter's (:mod:`mineralflow.mirror`).
"""

# The brief is split by what each part decides: model.py (what a brief holds: its lines,
# figures, checks and sources, and their plain data), read.py (what it reads from the
# ledger: the figures, the reconciler's rows, sources, events and the mirror), estimates.py
# (which figure each cell shows and which sources it cites), checks.py (how the month's
# checks are worded, and which are listed), build.py (build_brief: the brief composed) and
# markdown.py (the brief in Markdown).

from .build import build_brief
from .model import AGGREGATE_KINDS as AGGREGATE_KINDS
from .model import EVENT_WINDOW_MONTHS as EVENT_WINDOW_MONTHS
from .model import Brief, MirrorLine
from .model import Check as Check
from .model import CumulativeLine as CumulativeLine
from .model import EventLine as EventLine
from .model import PartnerLine as PartnerLine
from .model import SourceRef as SourceRef
from .model import Stated as Stated

__all__ = ["Brief", "MirrorLine", "build_brief"]
