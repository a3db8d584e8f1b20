"""Claims: the figures news articles state, read into the ledger's shape.

- :func:`extract_claims` reads one text (``extract.py``: the rules; ``lexicon.py``: the
  words and patterns);
- :func:`read_claims` reads files and folders of articles (``sources/articles.py``),
  collecting a one-line error per bad file;
- :func:`save_claims` stores the articles and their resolved figures in one transaction;
- :func:`outlet_view` lines up what each outlet states per cell and measure;
- :func:`score` measures claims against labels (the evaluation set in ``tests/``).
"""

from __future__ import annotations

from .extract import Claim, extract_claims, split_sentences
from .outlets import OutletCell, OutletStatement, Stated, agree, outlet_view
from .read import NEWS_DATASET, ArticleClaims, ClaimsReport, read_claims, save_claims

__all__ = [
    "NEWS_DATASET",
    "ArticleClaims",
    "Claim",
    "ClaimsReport",
    "OutletCell",
    "OutletStatement",
    "Stated",
    "agree",
    "extract_claims",
    "outlet_view",
    "read_claims",
    "save_claims",
    "split_sentences",
]
