"""Nowcast: next month's level of one series with an 80% interval, and its track record.

The series is the reconciler's best estimate of each stated monthly level
(:func:`mineralflow.analysis.reconciled_levels`: a month no source states stays a gap). The
model is statsmodels' SARIMAX on the logarithm of the tonnes::

    >>> with Ledger.open(read_only=True) as ledger:                  # doctest: +SKIP
    ...     n = nowcast(ledger, product="rare-earth-magnets", partner="WLD", upto="2025-06")
    ...     n.target, n.value, (n.lo, n.hi)

- ARIMA(0,1,1): the level follows a random walk seen through noise (simple exponential
  smoothing as a state-space model), so gaps are months the Kalman filter skips, not values
  to fill in. Logs make a halving and a doubling the same size of move, and keep the
  interval above zero.
- Seasonality, a seasonal (0,1,1) over 12 months, only with ``SEASONAL_MIN`` observed months
  (three years): fewer cannot tell a season from noise.
- Policy events from the ledger's registry as one regressor: a month is *disrupted* in the
  ``DISRUPTION_MONTHS`` months from the one in which an export control or ban naming the
  product (by customs code or by name) takes effect, until a truce, suspension or licence
  easing naming the product or its group takes effect before the month begins (licences
  queue for weeks, then flows resume). It enters the model only when the training months
  hold ``MIN_EPISODES`` separate disrupted episodes each with a stated level: one episode
  cannot tell the event's effect from the level's own random walk.
- No model below ``MIN_OBSERVED`` stated months, or with a zero month (no logarithm): the
  nowcast then says why instead of inventing a number.

The point estimate is the median (the exponential of the forecast log), the interval the
model's 10th to 90th percentile given its estimated parameters (their own uncertainty is not
in it). A nowcast is never stored as a figure. See ``docs/metrics.md`` (Nowcast).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import warnings
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from .files import write_atomic
from .ledger import Ledger
from .periods import Month, Period
from .reconcile import Reconciliation, reconcile

__all__ = [
    "DISRUPTION_MONTHS",
    "EVENT_LINKS",
    "LEVEL",
    "MIN_EPISODES",
    "MIN_OBSERVED",
    "RELIEF",
    "RESTRICTIONS",
    "SEASONAL_MIN",
    "Backtest",
    "BacktestRow",
    "Nowcast",
    "Series",
    "backtest",
    "backtest_series",
    "describe",
    "forecast",
    "nowcast",
    "series_for",
]

LEVEL = 0.8
"""Coverage the interval aims for."""
MIN_OBSERVED = 8
"""Stated months a model needs: with fewer (and gaps) the variance rests on a handful of
month-to-month moves."""
SEASONAL_MIN = 36
"""Stated months before a seasonal term enters: three observations of each calendar month."""
MIN_EPISODES = 2
"""Separate disrupted episodes with a stated level before the event regressor enters."""
DISRUPTION_MONTHS = 3
"""Months a restriction disrupts a flow at most: its effective month and the two after."""
RESTRICTIONS = ("export_control", "export_ban")
RELIEF = ("truce", "suspension", "licence_easing")
EVENT_LINKS = ("code", "term")
"""Restrictions count when they name the product by customs code or by name, as in the
brief's event windows; relief also when it names the product's group ("rare earths")."""
RELIEF_LINKS = ("code", "term", "group")
MODEL = "ARIMA(0,1,1) on log tonnes"
NAIVE = ("last_month", "last_year")


@dataclass(frozen=True)
class Series:
    """One series' stated monthly levels (gaps left out) and its disrupted months."""

    product: str
    partner: str
    reporter: str
    flow: str
    points: tuple[tuple[Month, float], ...]
    disrupted: frozenset[Month] = frozenset()

    def upto(self, month: Month) -> Series:
        """The series as far as ``month`` (included)."""
        kept = tuple(p for p in self.points if p[0] <= month)
        return Series(self.product, self.partner, self.reporter, self.flow, kept, self.disrupted)

    def value(self, month: Month) -> float | None:
        return next((v for m, v in self.points if m == month), None)

    @property
    def months(self) -> list[Month]:
        return [m for m, _ in self.points]


@dataclass(frozen=True)
class Nowcast:
    """A model's estimate of one month's level: never a stated figure."""

    product: str
    partner: str
    reporter: str
    flow: str
    target: str  # the month estimated, YYYY-MM
    value: float | None  # median, tonnes; None when the series cannot support a model
    lo: float | None
    hi: float | None
    level: float
    observed: int  # stated months the model saw
    first: str | None
    last: str | None
    horizon: int | None  # months from the last stated one to the target
    model: str
    seasonal: str  # whether the model has a seasonal term, and why (not)
    events: str  # whether the event regressor is in the model, and why (not)
    note: str = ""  # why there is no estimate, or a caveat about it

    @property
    def supported(self) -> bool:
        return self.value is not None

    def to_dict(self) -> dict[str, Any]:
        """Plain data; tonnes rounded to whole tonnes (the optimiser's last digits are noise)."""
        data = asdict(self)
        for key in ("value", "lo", "hi"):
            if data[key] is not None:
                data[key] = round(data[key])
        data["estimate"] = True  # a model's estimate, never a figure stated by a source
        return data


def _months(series: Series) -> str:
    return f"{len(series.points)} stated month" + ("" if len(series.points) == 1 else "s")


def disrupted_months(events: list[dict[str, Any]], first: Month, last: Month) -> frozenset[Month]:
    """Months from ``first`` to ``last`` a restriction disrupts (see the module docstring).

    ``events`` are rows with ``kind``, ``link``, ``date_announced`` and ``date_effective``
    (the day a measure takes effect; the announcement when it has none)::

        >>> ev = [{"kind": "export_control", "link": "term", "date_announced": "2025-04-04",
        ...        "date_effective": "2025-04-04"},
        ...       {"kind": "truce", "link": "group", "date_announced": "2025-06-10",
        ...        "date_effective": None}]
        >>> sorted(str(m) for m in disrupted_months(ev, Month(2025, 1), Month(2025, 12)))
        ['2025-04', '2025-05', '2025-06']
    """
    restrictions, relief = [], []
    for e in events:
        day = Month.parse(str(e["date_effective"] or e["date_announced"])[:7])
        on = str(e["date_effective"] or e["date_announced"])[:10]
        if e["kind"] in RESTRICTIONS and e["link"] in EVENT_LINKS:
            restrictions.append((day, on))
        elif e["kind"] in RELIEF and e["link"] in RELIEF_LINKS:
            relief.append(on)
    out = set()
    for month in Period(first, last).month_list():
        start = str(month.first_day)
        for effect, on in restrictions:
            if effect <= month < effect.shift(DISRUPTION_MONTHS) and not any(
                on <= x < start for x in relief
            ):
                out.add(month)
                break
    return frozenset(out)


def series_for(
    ledger: Ledger,
    *,
    product: str,
    partner: str = "WLD",
    reporter: str = "CHN",
    flow: str = "export",
    reconciliation: Reconciliation | None = None,
) -> Series:
    """The series of ``product`` to ``partner`` from the ledger, with its disrupted months
    (to a year after its last stated month, so a nowcast knows its target's)."""
    from . import catalog
    from .analysis import reconciled_levels

    catalog.product(product)

    rec = reconciliation if reconciliation is not None else reconcile(ledger, product=product)
    try:
        levels = reconciled_levels(rec, reporter=reporter, flow=flow).to_pylist()
    finally:
        if reconciliation is None:
            rec.close()
    rows = [r for r in levels if r["product"] == product]
    return series_of(ledger, rows, product=product, partner=partner, reporter=reporter, flow=flow)


def series_of(
    ledger: Ledger,
    levels: Iterable[dict[str, Any]],
    *,
    product: str,
    partner: str,
    reporter: str,
    flow: str,
) -> Series:
    """The series of ``partner`` in ``levels`` (rows with ``partner``, ``period`` and
    ``value``: one product's reconciled monthly levels, as :func:`series_for` reads them or
    the brief's compiled query gives them), with its disrupted months from the ledger's
    events (plain SQL: no Ibis)."""
    points = tuple(
        sorted(
            (Month.of(r["period"]), float(r["value"])) for r in levels if r["partner"] == partner
        )
    )
    disrupted: frozenset[Month] = frozenset()
    if points:
        # Literals, not parameters: DuckDB's Python client loads pandas to bind parameters.
        product_sql = "'" + product.replace("'", "''") + "'"
        links_sql = ", ".join(f"'{link}'" for link in RELIEF_LINKS)
        cursor = ledger.con.execute(
            "SELECT e.kind, l.link, e.date_announced, e.date_effective FROM events e "
            "JOIN event_products l USING (event_id) "
            f"WHERE l.product = {product_sql} AND l.link IN ({links_sql})"
        )
        names = [d[0] for d in cursor.description]
        events = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        disrupted = disrupted_months(events, points[0][0], points[-1][0].shift(12))
    return Series(product, partner, reporter, flow, points, disrupted)


def _episodes(months: list[Month], disrupted: frozenset[Month]) -> int:
    """Runs of consecutive disrupted months that contain one of ``months``."""
    starts = set()
    for m in months:
        if m in disrupted:
            start = m
            while start.shift(-1) in disrupted:
                start = start.shift(-1)
            starts.add(start)
    return len(starts)


def forecast(
    series: Series, target: Month, *, events: bool = False, cache: Path | None = None
) -> Nowcast:
    """The estimate of ``target`` from every stated month of ``series`` before it;
    ``events=True`` adds the event regressor where it can be estimated (off by default:
    on the bundled registry it makes the backtest worse, see ``docs/metrics.md``).

    With ``cache`` (a folder) a fitted estimate is kept there as JSON, keyed by everything
    it depends on (the months and levels, the disrupted months, the target, this module's
    code and the statsmodels version), and read back instead of fitting again: loading
    statsmodels and fitting take seconds, the rest of a brief a fraction of one.
    """
    if cache is not None:
        path = cache / f"{_cache_key(series, target, events)}.json"
        try:
            return Nowcast(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            pass  # not there yet (or unreadable): fit, then keep it
        made = forecast(series, target, events=events)
        with contextlib.suppress(OSError):  # a read-only folder: the same estimate, not kept
            write_atomic(path, json.dumps(asdict(made), sort_keys=True).encode())
        return made
    history = series.upto(target.shift(-1))
    months = history.months
    empty = Nowcast(
        product=series.product,
        partner=series.partner,
        reporter=series.reporter,
        flow=series.flow,
        target=str(target),
        value=None,
        lo=None,
        hi=None,
        level=LEVEL,
        observed=len(months),
        first=str(months[0]) if months else None,
        last=str(months[-1]) if months else None,
        horizon=(_index(target) - _index(months[-1])) if months else None,
        model="",
        seasonal="",
        events="",
    )

    def without(note: str) -> Nowcast:
        return replace(empty, note=note)

    if len(months) < MIN_OBSERVED:
        return without(
            f"only {_months(history)} before {target.name}; a model needs {MIN_OBSERVED}"
        )
    if any(v <= 0 for _, v in history.points):
        return without("a month of zero tonnes has no logarithm, so no model on log tonnes")
    seasonal = len(months) >= SEASONAL_MIN
    seasonal_words = (
        "seasonal term over 12 months"
        if seasonal
        else f"no seasonal term ({len(months)} stated months, {SEASONAL_MIN} needed)"
    )
    episodes = _episodes(months, series.disrupted)
    calm = sum(m not in series.disrupted for m in months)
    use_events = events and episodes >= MIN_EPISODES and calm >= 2
    if not events:
        events_words = "no event regressor (off by default)"
    elif use_events:
        events_words = f"event regressor in the model ({episodes} disrupted episodes)"
    else:
        events_words = (
            f"no event regressor ({episodes} disrupted episode"
            f"{'' if episodes == 1 else 's'} with a stated level, {MIN_EPISODES} needed)"
        )
    value, lo, hi, converged = _fit_and_forecast(history, target, seasonal, use_events)
    return replace(
        empty,
        value=value,
        lo=lo,
        hi=hi,
        model=MODEL,
        seasonal=seasonal_words,
        events=events_words,
        note="" if converged else "the likelihood did not converge; read the interval loosely",
    )


def _cache_key(series: Series, target: Month, events: bool) -> str:
    from importlib.metadata import version

    what = {
        "series": [series.product, series.partner, series.reporter, series.flow],
        "points": [[str(m), v] for m, v in series.points],
        "disrupted": sorted(str(m) for m in series.disrupted),
        "target": str(target),
        "events": events,
        "code": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "statsmodels": version("statsmodels"),
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()[:32]


def cache_folder(ledger: Ledger) -> Path | None:
    """Where a ledger file's nowcasts are kept (``<ledger>.cache/nowcast``, beside the
    fetch cache); None for a ledger in memory."""
    path = str(ledger.path or "")
    if not path or path == ":memory:":
        return None
    p = Path(path)
    return p.with_name(p.stem + ".cache") / "nowcast"


def _index(m: Month) -> int:
    return m.year * 12 + m.month - 1


def _fit_and_forecast(
    history: Series, target: Month, seasonal: bool, use_events: bool
) -> tuple[float, float, float, bool]:
    import numpy as np
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    first = history.points[0][0]
    span = Period(first, target).month_list()
    observed = dict(history.points)
    # Months after the last stated one and before the target are forecast steps too.
    last = max(i for i, m in enumerate(span) if m in observed and m < target)
    steps = len(span) - 1 - last
    y = np.array([math.log(observed[m]) if m in observed else np.nan for m in span[: last + 1]])
    exog = future = None
    if use_events:
        x = np.array([[1.0 if m in history.disrupted else 0.0] for m in span])
        exog, future = x[: last + 1], x[last + 1 :]
    model = SARIMAX(
        y,
        exog=exog,
        order=(0, 1, 1),
        seasonal_order=(0, 1, 1, 12) if seasonal else (0, 0, 0, 0),
        concentrate_scale=True,
    )
    # Short series make the optimiser noisy; convergence is reported on the result instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(disp=False)
        predicted = result.get_forecast(steps, exog=future)
        mean = float(np.asarray(predicted.predicted_mean)[-1])
        bounds = np.asarray(predicted.conf_int(alpha=1 - LEVEL))[-1]
    converged = bool(result.mle_retvals.get("converged", True))
    return math.exp(mean), math.exp(float(bounds[0])), math.exp(float(bounds[1])), converged


def nowcast(
    ledger: Ledger,
    *,
    product: str,
    partner: str = "WLD",
    reporter: str = "CHN",
    flow: str = "export",
    upto: str | Month | None = None,
    events: bool = False,
    reconciliation: Reconciliation | None = None,
) -> Nowcast:
    """The estimate of the month after ``upto`` (default: after the last stated month) from
    the stated months up to it (``events``: see :func:`forecast`)."""
    series = series_for(
        ledger,
        product=product,
        partner=partner,
        reporter=reporter,
        flow=flow,
        reconciliation=reconciliation,
    )
    if upto is None:
        if not series.points:
            from .errors import NoData

            raise NoData(f"{product} to {partner}", ledger.periods(product))
        end = series.points[-1][0]
    else:
        end = upto if isinstance(upto, Month) else Month.parse(upto)
    return forecast(series, end.shift(1), events=events, cache=cache_folder(ledger))


def _round(x: float, digits: int = 2) -> float:
    """``x`` to ``digits`` significant digits: an estimate this uncertain has no more."""
    if x <= 0:
        return x
    return round(x, digits - 1 - math.floor(math.log10(x)))


def describe(n: Nowcast) -> str:
    """The nowcast in one sentence, labelled as an estimate (two significant digits)::

    >>> n = Nowcast("rare-earth-magnets", "WLD", "CHN", "export", "2025-07", 3953.2,
    ...             1804.0, 8312.0, 0.8, 9, "2024-02", "2025-06", 1, MODEL,
    ...             "no seasonal term", "no event regressor")
    >>> describe(n)  # doctest: +NORMALIZE_WHITESPACE
    "Estimate, not a stated figure: China's exports to the world in July 2025 about 4,000 t
    (80% interval 1,800 to 8,300 t), by ARIMA(0,1,1) on log tonnes from 9 stated months
    (2024-02 to 2025-06); no seasonal term; no event regressor."
    """
    from . import catalog

    reporter = catalog.partner_name(n.reporter)
    partner = (
        "the world" if n.partner == "WLD" else catalog.with_article(catalog.partner_name(n.partner))
    )
    who = f"{reporter}'s {n.flow}s to {partner} in {Month.parse(n.target).name}"
    if not n.supported:
        return f"No estimate of {who}: {n.note}."
    assert n.value is not None
    assert n.lo is not None
    assert n.hi is not None
    text = (
        f"Estimate, not a stated figure: {who} about {_round(n.value):,.0f} t "
        f"({n.level:.0%} interval {_round(n.lo):,.0f} to {_round(n.hi):,.0f} t), by {n.model} "
        f"from {n.observed} stated months ({n.first} to {n.last}); {n.seasonal}; {n.events}."
    )
    return text + (f" Note: {n.note}." if n.note else "")


# -- backtest ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class BacktestRow:
    """One stated month, forecast from the months before it, and the two naive forecasts."""

    period: str
    actual: float
    forecast: float | None  # None: too little history for a model
    lo: float | None
    hi: float | None
    horizon: int | None
    last_month: float | None  # the level of the month before, when stated
    last_year: float | None  # the level of the same month a year before, when stated
    events: bool  # the event regressor was in the model

    @property
    def covered(self) -> bool | None:
        if self.lo is None or self.hi is None:
            return None
        return self.lo <= self.actual <= self.hi


def _mape(pairs: list[tuple[float | None, float]]) -> float | None:
    """Mean absolute percentage error of ``(forecast, actual)`` pairs, in percent."""
    errors = [100 * abs(f - a) / a for f, a in pairs if f is not None]
    return sum(errors) / len(errors) if errors else None


@dataclass
class Backtest:
    """Every stated month of a series forecast from the months before it."""

    product: str
    partner: str
    rows: list[BacktestRow] = field(default_factory=list)

    @property
    def forecast_rows(self) -> list[BacktestRow]:
        return [r for r in self.rows if r.forecast is not None]

    def coverage(self) -> float | None:
        rows = self.forecast_rows
        return 100 * sum(bool(r.covered) for r in rows) / len(rows) if rows else None

    def mape(self) -> float | None:
        return _mape([(r.forecast, r.actual) for r in self.forecast_rows])

    def against(self, naive: str) -> tuple[int, float | None, float | None]:
        """``(months, model MAPE, naive MAPE)`` on the months where both forecast;
        ``naive`` is ``last_month`` or ``last_year``."""
        if naive not in NAIVE:
            from .errors import UsageError

            raise UsageError(f"unknown naive forecast {naive!r}; use one of: {', '.join(NAIVE)}")
        both = [r for r in self.forecast_rows if getattr(r, naive) is not None]
        model = _mape([(r.forecast, r.actual) for r in both])
        other = _mape([(getattr(r, naive), r.actual) for r in both])
        return len(both), model, other

    def to_dict(self) -> dict[str, Any]:
        def pair(naive: str) -> dict[str, Any]:
            n, model, other = self.against(naive)
            return {"months": n, "model_mape": model, f"{naive}_mape": other}

        return {
            "product": self.product,
            "partner": self.partner,
            "level": LEVEL,
            "months": len(self.rows),
            "forecast": len(self.forecast_rows),
            "coverage_pct": self.coverage(),
            "mape_pct": self.mape(),
            "against_last_month": pair("last_month"),
            "against_last_year": pair("last_year"),
            "rows": [{**asdict(r), "covered": r.covered} for r in self.rows],
        }


def backtest_series(series: Series, *, events: bool = False) -> Backtest:
    """Forecast each stated month of ``series`` from the stated months before it
    (``events=True``: with the event regressor where it can be estimated)."""
    out = Backtest(series.product, series.partner)
    for month, actual in series.points:
        if actual <= 0:
            continue  # no percentage error against zero
        n = forecast(series, month, events=events)
        out.rows.append(
            BacktestRow(
                period=str(month),
                actual=actual,
                forecast=n.value,
                lo=n.lo,
                hi=n.hi,
                horizon=n.horizon if n.supported else None,
                last_month=series.value(month.shift(-1)),
                last_year=series.value(month.shift(-12)),
                events=n.events.startswith("event regressor in"),
            )
        )
    return out


def backtest(
    ledger: Ledger,
    *,
    product: str,
    partner: str = "WLD",
    reporter: str = "CHN",
    flow: str = "export",
    events: bool = False,
    reconciliation: Reconciliation | None = None,
) -> Backtest:
    """The nowcast's record on one series of the ledger: every stated month forecast from
    the months before it, beside the last month's and the same month last year's level."""
    series = series_for(
        ledger,
        product=product,
        partner=partner,
        reporter=reporter,
        flow=flow,
        reconciliation=reconciliation,
    )
    return backtest_series(series, events=events)
