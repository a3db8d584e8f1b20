"""Measure claims against labels: precision and recall per field and on whole figures.

A predicted claim is matched to the expected figure whose span overlaps it in the same
source (one to one, largest overlap first). A field is right when the matched pair agrees
on it; a whole figure is right when every field is. Precision divides by the claims read,
recall by the figures expected, so a spurious claim costs precision on every field and a
missed figure costs recall on every field::

    >>> s = score([{"source": "a", "span": [0, 4], "value": 1.0}],
    ...           [{"source": "a", "span": [0, 4], "value": 1.0}], fields=("value",))
    >>> (s.precision(), s.recall())
    (1.0, 1.0)

The evaluation set lives in ``tests/claims_eval/`` (see :func:`evaluate`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .extract import Claim, extract_claims

__all__ = ["FIELDS", "Scores", "evaluate", "score"]

FIELDS = ("reporter", "partner", "product", "flow", "period", "measure", "value", "qualifier")


@dataclass
class Scores:
    """Counts behind precision and recall, and the mistakes for a report."""

    fields: tuple[str, ...]
    expected: int = 0
    predicted: int = 0
    right: dict[str, int] = field(default_factory=dict)
    whole: int = 0
    mistakes: list[str] = field(default_factory=list)

    def precision(self, name: str | None = None) -> float:
        """Whole figures (``name`` None) or one field: right / claims read."""
        hits = self.whole if name is None else self.right.get(name, 0)
        return hits / self.predicted if self.predicted else 1.0

    def recall(self, name: str | None = None) -> float:
        """Whole figures (``name`` None) or one field: right / figures expected."""
        hits = self.whole if name is None else self.right.get(name, 0)
        return hits / self.expected if self.expected else 1.0

    def __add__(self, other: Scores) -> Scores:
        return Scores(
            self.fields,
            self.expected + other.expected,
            self.predicted + other.predicted,
            {f: self.right.get(f, 0) + other.right.get(f, 0) for f in self.fields},
            self.whole + other.whole,
            self.mistakes + other.mistakes,
        )


def _same(name: str, a: Any, b: Any) -> bool:
    if name == "value" and a is not None and b is not None:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def score(
    expected: Sequence[dict[str, Any]],
    predicted: Sequence[dict[str, Any]],
    *,
    fields: tuple[str, ...] = FIELDS,
) -> Scores:
    """Compare predicted claims with expected figures (both as dicts with ``source``,
    ``span`` and the fields)."""
    s = Scores(fields, expected=len(expected), predicted=len(predicted))
    s.right = dict.fromkeys(fields, 0)
    pairs = []
    for i, p in enumerate(predicted):
        for j, e in enumerate(expected):
            if p["source"] != e["source"]:
                continue
            overlap = min(p["span"][1], e["span"][1]) - max(p["span"][0], e["span"][0])
            if overlap > 0:
                pairs.append((overlap, i, j))
    used_p: set[int] = set()
    used_e: set[int] = set()
    for _, i, j in sorted(pairs, reverse=True):
        if i in used_p or j in used_e:
            continue
        used_p.add(i)
        used_e.add(j)
        p, e = predicted[i], expected[j]
        wrong = [f for f in fields if not _same(f, p.get(f), e.get(f))]
        for f in fields:
            if f not in wrong:
                s.right[f] += 1
        if wrong:
            got = ", ".join(f"{f} {p.get(f)!r} (expected {e.get(f)!r})" for f in wrong)
            s.mistakes.append(f"{e['source']} {e['span']}: {got}")
        else:
            s.whole += 1
    for j, e in enumerate(expected):
        if j not in used_e:
            s.mistakes.append(f"{e['source']} {e['span']}: missed {e.get('stated', '')!r}")
    for i, p in enumerate(predicted):
        if i not in used_p:
            s.mistakes.append(f"{p['source']} {p['span']}: spurious {p.get('stated', '')!r}")
    return s


def _claims(claims: list[Claim]) -> list[dict[str, Any]]:
    return [c.to_dict() for c in claims]


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def evaluate_written(path: Path) -> tuple[Scores, int]:
    """Score the hand-written sentences in ``path`` (``written.json``); also return how
    many sentences the set holds."""
    data = json.loads(path.read_text(encoding="utf-8"))
    defaults = data["defaults"]
    total = Scores(FIELDS, right=dict.fromkeys(FIELDS, 0))
    sentences = 0
    from .extract import split_sentences

    for item in data["items"]:
        text, source = item["text"], item["id"]
        sentences += len(split_sentences(text))
        expected = []
        for fig in item["figures"]:
            start = -1
            for _ in range(fig.get("nth", 0) + 1):
                start = text.index(fig["stated"], start + 1)
            row = {**defaults, **fig, "source": source}
            row["span"] = [start, start + len(fig["stated"])]
            expected.append(row)
        got = extract_claims(text, source=source, published=_date(item["published"]))
        total = total + score(expected, _claims(got))
    return total, sentences


def evaluate_seeds(path: Path, seeds: Path) -> tuple[Scores, int]:
    """Score the seed articles against the labels in ``path`` (``seeds.json``); the seed
    text is read from ``seeds``. Also return how many sentences are labelled (sentences
    with a figure plus the negatives)."""
    from ..sources.articles import read_article

    data = json.loads(path.read_text(encoding="utf-8"))
    total = Scores(FIELDS, right=dict.fromkeys(FIELDS, 0))
    sentences = 0
    for item in data["articles"]:
        article = read_article(seeds / item["file"], published=_date(data["published"]))
        text = article.text
        expected = []
        for fig in item["figures"]:
            start, end = fig["span"]
            if text[start:end] != fig["stated"]:
                raise ValueError(
                    f"{item['file']} {fig['span']}: the seed reads {text[start:end]!r}, the "
                    f"label {fig['stated']!r}; the seed changed, re-check the labels"
                )
            expected.append({**fig, "source": item["file"]})
        got = extract_claims(text, source=item["file"], published=article.published)
        total = total + score(expected, _claims(got))
        from .extract import split_sentences

        figure_sentences = {
            (a, b)
            for a, b in split_sentences(text)
            if any(a <= f["span"][0] < b for f in item["figures"])
        }
        sentences += len(figure_sentences) + len(item["negatives"])
    return total, sentences


def evaluate(labels: Path, seeds: Path | None) -> dict[str, tuple[Scores, int]]:
    """Scores on the written set and (when ``seeds`` is given) the seeds, and both together.

    Values are ``(scores, labelled sentences)``.
    """
    out = {"written": evaluate_written(labels / "written.json")}
    if seeds is not None:
        out["seeds"] = evaluate_seeds(labels / "seeds.json", seeds)
        s1, n1 = out["written"]
        s2, n2 = out["seeds"]
        out["all"] = (s1 + s2, n1 + n2)
    return out


# -- the real-article set ------------------------------------------------------------------
TRAP_CLASSES = (
    "cumulative-span",
    "context-month",
    "wrong-scope",
    "wrong-year",
    "indirect-partner",
    "top-n",
    "not-a-percentage",
    "previous-month-level",
    "not-a-figure",
)


@dataclass
class RealScores:
    """The real-article set: whole-figure scores (resolved claims only: what ``--save``
    books), the unresolved figures left unresolved, and per trap class the traps labelled,
    the traps produced and the figures of that shape read right."""

    figures: Scores
    unresolved_labelled: int = 0
    unresolved_booked: int = 0  # a figure the text cannot place, booked anyway: wrong
    traps: dict[str, int] = field(default_factory=dict)
    produced: dict[str, int] = field(default_factory=dict)
    shaped: dict[str, int] = field(default_factory=dict)  # figures labelled with a class
    shaped_right: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    trap_hits: list[str] = field(default_factory=list)


def _overlaps(a: Sequence[int], b: Sequence[int]) -> bool:
    return min(a[1], b[1]) > max(a[0], b[0])


def evaluate_real(labels: Path, articles: Path) -> RealScores:
    """Score the reader on the real stored pages in ``articles`` against the labels in the
    folder ``labels`` (``tests/claims_eval/real``; its README gives the format).

    Each page is read as ``mineralflow claims FILE --published DATE`` reads it, with the
    date from the label (the page's own header); only resolved claims count as figures.
    """
    from ..sources.articles import read_article

    out = RealScores(Scores(FIELDS, right=dict.fromkeys(FIELDS, 0)))
    for path in sorted(labels.glob("*.json")):
        item = json.loads(path.read_text(encoding="utf-8"))
        article = read_article(articles / item["file"], published=_date(item["published"]))
        text = article.text
        for entry in (*item["figures"], *item["unresolved"], *item["traps"]):
            start, end = entry["span"]
            if text[start:end] != entry["stated"]:
                raise ValueError(
                    f"{item['file']} {entry['span']}: the page reads {text[start:end]!r}, the "
                    f"label {entry['stated']!r}; the page changed, re-check the labels"
                )
        readable = getattr(article, "readable", text)
        claims = extract_claims(readable, source=item["file"], published=article.published)
        booked = [c.to_dict() for c in claims if c.resolved]
        expected = [{**f, "source": item["file"]} for f in item["figures"]]
        out.figures = out.figures + score(expected, booked)
        out.articles += 1

        labelled = item["figures"]

        def right(
            claim: dict[str, Any], span: Sequence[int], labelled: list[Any] = labelled
        ) -> bool:
            return any(
                f["span"] == list(span) and all(_same(n, claim.get(n), f.get(n)) for n in FIELDS)
                for f in labelled
            )

        for f in item["figures"]:
            if f.get("class"):
                out.shaped[f["class"]] = out.shaped.get(f["class"], 0) + 1
                if any(_overlaps(c["span"], f["span"]) and right(c, f["span"]) for c in booked):
                    out.shaped_right[f["class"]] = out.shaped_right.get(f["class"], 0) + 1
        for u in item["unresolved"]:
            out.unresolved_labelled += 1
            if any(_overlaps(c["span"], u["span"]) for c in booked):
                out.unresolved_booked += 1
        for t in item["traps"]:
            kind = t["class"]
            out.traps[kind] = out.traps.get(kind, 0) + 1
            wrong = [
                c for c in booked if _overlaps(c["span"], t["span"]) and not right(c, t["span"])
            ]
            if wrong:
                out.produced[kind] = out.produced.get(kind, 0) + 1
                got = ", ".join(
                    f"{c['partner']} {c['product']} {c['period']} {c['measure']} {c['value']}"
                    for c in wrong
                )
                out.trap_hits.append(f"{item['file']} {t['span']} {kind} {t['stated']!r}: {got}")
    return out
