"""The ledger's tables: the measures a figure can have, and the numbered migrations that
build the schema (each takes the ledger from version N-1 to N; append, never edit).
:class:`mineralflow.ledger.Ledger` applies them when it opens a ledger for writing."""

from __future__ import annotations

__all__ = ["MEASURES", "MEASURE_WORDS", "MIGRATIONS", "SCHEMA_VERSION"]

MEASURES = ("level", "change_mom", "change_yoy", "cumulative", "cumulative_change_yoy", "rank")
# How each measure is named in sentences and tables meant for people.
MEASURE_WORDS = {
    "level": "level",
    "change_mom": "m/m change",
    "change_yoy": "y/y change",
    "cumulative": "cumulative total",
    "cumulative_change_yoy": "cumulative y/y change",
    "rank": "rank",
}


# Each migration takes the ledger from version N-1 to N. Append, never edit.
MIGRATIONS: list[tuple[int, str, str]] = [
    (
        1,
        "sources, figures, events and catalogs",
        f"""
        CREATE TABLE sources (
            source_id     VARCHAR PRIMARY KEY,
            kind          VARCHAR NOT NULL
                          CHECK (kind IN ('official_release', 'news_article', 'market_report')),
            authority     VARCHAR NOT NULL,
            outlet        VARCHAR NOT NULL,
            original_publisher VARCHAR,
            title         VARCHAR NOT NULL,
            url           VARCHAR,
            published     DATE,
            ingested_at   TIMESTAMP NOT NULL,
            content_hash  VARCHAR NOT NULL,
            dataset       VARCHAR NOT NULL,
            note          VARCHAR
        );
        CREATE TABLE figures (
            figure_id     VARCHAR PRIMARY KEY,
            source_id     VARCHAR NOT NULL,
            reporter      VARCHAR NOT NULL,
            partner       VARCHAR NOT NULL,
            product       VARCHAR NOT NULL,
            flow          VARCHAR NOT NULL CHECK (flow IN ('export', 'import')),
            period_start  DATE NOT NULL,
            period_end    DATE NOT NULL,
            measure       VARCHAR NOT NULL CHECK (measure IN {MEASURES!r}),
            value         DOUBLE NOT NULL,
            unit          VARCHAR NOT NULL,
            stated        VARCHAR NOT NULL,
            resolution    DOUBLE NOT NULL CHECK (resolution > 0),
            qualifier     VARCHAR NOT NULL,
            locator       VARCHAR NOT NULL,
            note          VARCHAR,
            CHECK (period_end >= period_start)
        );
        CREATE INDEX figures_cell ON figures (product, partner, period_end);
        CREATE TABLE events (
            event_id       VARCHAR PRIMARY KEY,
            date_announced DATE NOT NULL,
            date_effective DATE,
            jurisdiction   VARCHAR NOT NULL,
            instrument     VARCHAR NOT NULL,
            kind           VARCHAR NOT NULL,
            commodities    VARCHAR NOT NULL,
            hs_codes       VARCHAR,
            summary        VARCHAR NOT NULL,
            source_url     VARCHAR NOT NULL,
            dataset        VARCHAR NOT NULL
        );
        CREATE TABLE event_products (
            event_id VARCHAR NOT NULL,
            product  VARCHAR NOT NULL,
            link     VARCHAR NOT NULL CHECK (link IN ('code', 'term', 'group', 'all_goods')),
            PRIMARY KEY (event_id, product)
        );
        CREATE TABLE catalog_products (
            product VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, "group" VARCHAR NOT NULL,
            tracked BOOLEAN NOT NULL, scope_note VARCHAR NOT NULL
        );
        CREATE TABLE catalog_product_codes (
            product VARCHAR NOT NULL, classification VARCHAR NOT NULL, code VARCHAR NOT NULL,
            relation VARCHAR NOT NULL, note VARCHAR
        );
        CREATE TABLE catalog_partners (
            code VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, name VARCHAR NOT NULL,
            m49 VARCHAR, china_customs_code VARCHAR, name_zh VARCHAR, continent VARCHAR
        );
        CREATE TABLE catalog_authorities (
            authority VARCHAR PRIMARY KEY, rank INTEGER NOT NULL, name VARCHAR NOT NULL
        );
        CREATE VIEW figures_v AS
        SELECT f.*,
               strftime(f.period_start, '%Y-%m')
                 || CASE WHEN f.period_end <> f.period_start
                         THEN '/' || strftime(f.period_end, '%Y-%m') ELSE '' END AS period,
               s.kind AS source_kind, s.authority, a.rank AS authority_rank, s.outlet,
               s.original_publisher, s.title AS source_title, s.url AS source_url,
               s.published AS source_published
        FROM figures f
        JOIN sources s USING (source_id)
        LEFT JOIN catalog_authorities a ON a.authority = s.authority;
        """,
    ),
    (
        2,
        "official releases and their flows (issue 5)",
        # A release is a sources row (kind official_release); `releases` holds what the
        # ingest knows of its file, `release_periods` what it covers (for vintages).
        # Flows are stored narrow in `flow_rows` (integer keys for release, reporter, partner
        # and flow: writing tens of millions of rows costs a third less than with the text)
        # and read through the view `flows`. No index: DuckDB's zone maps serve, and an index
        # would slow large ingests. See docs/official-statistics.md.
        """
        CREATE TABLE releases (
            source_id      VARCHAR PRIMARY KEY,
            release_no     INTEGER NOT NULL UNIQUE,
            publisher      VARCHAR NOT NULL,
            format         VARCHAR NOT NULL,
            currency       VARCHAR NOT NULL,
            file_name      VARCHAR NOT NULL,
            file_bytes     BIGINT NOT NULL,
            encoding       VARCHAR NOT NULL,
            rows_read      BIGINT,
            rows_loaded    BIGINT NOT NULL,
            rows_rejected  BIGINT NOT NULL,
            rows_left_out  BIGINT,
            figures        BIGINT NOT NULL,
            cells_without_quantity BIGINT NOT NULL
        );
        CREATE TABLE release_periods (
            source_id  VARCHAR NOT NULL,
            reporter   VARCHAR NOT NULL,
            flow       VARCHAR NOT NULL,
            period     DATE NOT NULL,
            period_end DATE NOT NULL,
            rows       BIGINT NOT NULL,
            PRIMARY KEY (source_id, reporter, flow, period, period_end)
        );
        CREATE TABLE partner_keys (
            key  INTEGER PRIMARY KEY,
            code VARCHAR NOT NULL UNIQUE
        );
        CREATE TABLE flow_rows (
            release        INTEGER NOT NULL,
            reporter       INTEGER NOT NULL,
            partner        INTEGER NOT NULL,
            classification VARCHAR NOT NULL,
            product_code   VARCHAR NOT NULL,
            flow           TINYINT NOT NULL CHECK (flow BETWEEN 1 AND 4),
            period         DATE NOT NULL,
            period_end     DATE NOT NULL,
            quantity_kg    DOUBLE CHECK (quantity_kg >= 0),
            value          DOUBLE CHECK (value >= 0),
            trade_mode     VARCHAR
        );
        CREATE VIEW flows AS
        SELECT r.source_id AS release_id, rep.code AS reporter, par.code AS partner,
               f.classification, f.product_code, pc.product,
               CASE f.flow WHEN 1 THEN 'export' WHEN 2 THEN 'import'
                           WHEN 3 THEN 're-export' WHEN 4 THEN 're-import' END AS flow,
               f.period, f.period_end, f.quantity_kg, f.value, r.currency, f.trade_mode
        FROM flow_rows f
        JOIN releases r ON r.release_no = f.release
        JOIN partner_keys rep ON rep.key = f.reporter
        JOIN partner_keys par ON par.key = f.partner
        LEFT JOIN (
            SELECT classification, code, min(product) AS product
            FROM catalog_product_codes WHERE relation = 'exact' GROUP BY ALL
        ) pc ON pc.classification = f.classification AND pc.code = f.product_code;
        """,
    ),
    (
        3,
        "content version and the stored reconciliation (issue 12)",
        # Every write transaction that changes the ledger bumps content_version and stores
        # each product's reconciliation for it (mineralflow.reconcile.store); the results
        # themselves are in reconciled_checks, _conflicts and _best, made by the store.
        # compiled_queries keeps the SQL of the queries a brief runs (mineralflow.compiled).
        """
        CREATE TABLE ledger_state (content_version BIGINT NOT NULL);
        INSERT INTO ledger_state VALUES (0);
        CREATE TABLE reconciliations (
            scope           VARCHAR PRIMARY KEY,
            content_version BIGINT NOT NULL,
            code_key        VARCHAR NOT NULL,
            computed_at     TIMESTAMP NOT NULL,
            checks          BIGINT NOT NULL,
            consistent      BIGINT NOT NULL,
            inconsistent    BIGINT NOT NULL,
            unverifiable    BIGINT NOT NULL,
            figures         BIGINT NOT NULL,
            revised         BIGINT NOT NULL
        );
        CREATE TABLE compiled_queries (
            name     VARCHAR PRIMARY KEY,
            code_key VARCHAR NOT NULL,
            sql      VARCHAR NOT NULL
        );
        """,
    ),
    (
        4,
        "the feed entries `watch` has dealt with (issue 14)",
        # `mineralflow watch` remembers every feed entry it has dealt with, so the next run
        # reports only what is new. An entry about no catalog product is remembered with
        # products '' and no source; one whose article was booked names its source. Entries
        # whose page could not be fetched or read are not remembered: the next run tries them
        # again. A run that finds nothing new writes nothing. See docs/fetch.md.
        """
        CREATE TABLE feed_entries (
            feed_url   VARCHAR NOT NULL,
            entry_key  VARCHAR NOT NULL,
            link       VARCHAR,
            title      VARCHAR,
            published  DATE,
            first_seen TIMESTAMP NOT NULL,
            products   VARCHAR NOT NULL,
            source_id  VARCHAR,
            PRIMARY KEY (feed_url, entry_key)
        );
        """,
    ),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
