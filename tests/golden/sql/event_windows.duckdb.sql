WITH "t12" AS (
  SELECT
    *
  FROM (
    SELECT
      "t10"."_e" AS "event_id",
      "t7"."reporter",
      "t7"."partner",
      "t7"."product",
      "t7"."flow",
      "t7"."period",
      CASE
        WHEN "t7"."_m" < "t10"."_ann"
        THEN 'before'
        WHEN "t7"."_m" < "t10"."_eff"
        THEN 'between'
        ELSE 'after'
      END AS "phase",
      "t7"."_m" - "t10"."_eff" AS "offset",
      "t7"."value"
    FROM (
      SELECT
        "t0"."reporter",
        "t0"."partner",
        "t0"."product",
        "t0"."flow",
        "t0"."period",
        "t0"."value",
        (
          (
            EXTRACT(year FROM "t0"."period") * 12
          ) + EXTRACT(month FROM "t0"."period")
        ) - 1 AS "_m"
      FROM "levels" AS "t0"
    ) AS "t7"
    INNER JOIN (
      SELECT
        "t8"."_e",
        "t8"."_product",
        "t8"."_ann",
        GREATEST("t8"."_eff", "t8"."_ann") AS "_eff"
      FROM (
        SELECT
          "t3"."event_id" AS "_e",
          "t5"."product" AS "_product",
          (
            (
              EXTRACT(year FROM "t3"."date_announced") * 12
            ) + EXTRACT(month FROM "t3"."date_announced")
          ) - 1 AS "_ann",
          (
            (
              EXTRACT(year FROM COALESCE("t3"."date_effective", "t3"."date_announced")) * 12
            ) + EXTRACT(month FROM COALESCE("t3"."date_effective", "t3"."date_announced"))
          ) - 1 AS "_eff"
        FROM "events" AS "t3"
        INNER JOIN (
          SELECT
            *
          FROM "event_products" AS "t2"
          WHERE
            "t2"."link" IN ('code', 'term', 'group')
        ) AS "t5"
          ON "t3"."event_id" = "t5"."event_id"
      ) AS "t8"
    ) AS "t10"
      ON "t7"."product" = "t10"."_product"
      AND "t7"."_m" >= (
        "t10"."_ann" - 12
      )
      AND "t7"."_m" <= (
        "t10"."_eff" + 11
      )
  ) AS "t11"
  WHERE
    "t11"."phase" = 'before'
), "t15" AS (
  SELECT
    "t13"."event_id",
    "t13"."reporter",
    "t13"."partner",
    "t13"."product",
    "t13"."flow",
    COUNT("t13"."value") AS "before_months",
    AVG("t13"."value") AS "before_mean",
    QUANTILE_CONT("t13"."value", 0.5) AS "before_median"
  FROM "t12" AS "t13"
  GROUP BY
    1,
    2,
    3,
    4,
    5
)
SELECT
  "t10"."_e" AS "event_id",
  "t7"."reporter",
  "t7"."partner",
  "t7"."product",
  "t7"."flow",
  "t7"."period",
  CASE
    WHEN "t7"."_m" < "t10"."_ann"
    THEN 'before'
    WHEN "t7"."_m" < "t10"."_eff"
    THEN 'between'
    ELSE 'after'
  END AS "phase",
  "t7"."_m" - "t10"."_eff" AS "offset",
  "t7"."value",
  COALESCE("t25"."before_months", 0) AS "before_months",
  "t25"."before_mean",
  "t25"."before_median",
  "t25"."before_scale",
  CASE
    WHEN "t25"."before_mean" > 0
    THEN (
      (
        "t7"."value" / "t25"."before_mean"
      ) - 1
    ) * 100
    ELSE NULL
  END AS "change_pct",
  (
    "t7"."value" - "t25"."before_median"
  ) / "t25"."before_scale" AS "z",
  CASE
    WHEN (
      "t25"."before_months" >= 4
    ) AND (
      "t25"."before_scale" IS NOT NULL
    )
    THEN ABS((
      "t7"."value" - "t25"."before_median"
    ) / "t25"."before_scale") >= 3.5
    ELSE NULL
  END AS "unusual"
FROM (
  SELECT
    "t0"."reporter",
    "t0"."partner",
    "t0"."product",
    "t0"."flow",
    "t0"."period",
    "t0"."value",
    (
      (
        EXTRACT(year FROM "t0"."period") * 12
      ) + EXTRACT(month FROM "t0"."period")
    ) - 1 AS "_m"
  FROM "levels" AS "t0"
) AS "t7"
INNER JOIN (
  SELECT
    "t8"."_e",
    "t8"."_product",
    "t8"."_ann",
    GREATEST("t8"."_eff", "t8"."_ann") AS "_eff"
  FROM (
    SELECT
      "t3"."event_id" AS "_e",
      "t5"."product" AS "_product",
      (
        (
          EXTRACT(year FROM "t3"."date_announced") * 12
        ) + EXTRACT(month FROM "t3"."date_announced")
      ) - 1 AS "_ann",
      (
        (
          EXTRACT(year FROM COALESCE("t3"."date_effective", "t3"."date_announced")) * 12
        ) + EXTRACT(month FROM COALESCE("t3"."date_effective", "t3"."date_announced"))
      ) - 1 AS "_eff"
    FROM "events" AS "t3"
    INNER JOIN (
      SELECT
        *
      FROM "event_products" AS "t2"
      WHERE
        "t2"."link" IN ('code', 'term', 'group')
    ) AS "t5"
      ON "t3"."event_id" = "t5"."event_id"
  ) AS "t8"
) AS "t10"
  ON "t7"."product" = "t10"."_product"
  AND "t7"."_m" >= (
    "t10"."_ann" - 12
  )
  AND "t7"."_m" <= (
    "t10"."_eff" + 11
  )
LEFT OUTER JOIN (
  SELECT
    "t23"."event_id" AS "_s_event_id",
    "t23"."reporter" AS "_s_reporter",
    "t23"."partner" AS "_s_partner",
    "t23"."product" AS "_s_product",
    "t23"."flow" AS "_s_flow",
    "t23"."before_months",
    "t23"."before_mean",
    "t23"."before_median",
    "t23"."before_scale"
  FROM (
    SELECT
      "t17"."event_id",
      "t17"."reporter",
      "t17"."partner",
      "t17"."product",
      "t17"."flow",
      "t17"."before_months",
      "t17"."before_mean",
      "t17"."before_median",
      CASE
        WHEN "t22"."_mad" > 0
        THEN "t22"."_mad" * 1.4826
        WHEN "t22"."_meanad" > 0
        THEN "t22"."_meanad" * 1.2533
        ELSE NULL
      END AS "before_scale"
    FROM "t15" AS "t17"
    INNER JOIN (
      SELECT
        "t20"."event_id",
        "t20"."reporter",
        "t20"."partner",
        "t20"."product",
        "t20"."flow",
        QUANTILE_CONT("t20"."_ad", 0.5) AS "_mad",
        AVG("t20"."_ad") AS "_meanad"
      FROM (
        SELECT
          "t19"."event_id",
          "t19"."reporter",
          "t19"."partner",
          "t19"."product",
          "t19"."flow",
          "t19"."period",
          "t19"."phase",
          "t19"."offset",
          "t19"."value",
          "t19"."before_months",
          "t19"."before_mean",
          "t19"."before_median",
          ABS("t19"."value" - "t19"."before_median") AS "_ad"
        FROM (
          SELECT
            "t14"."event_id",
            "t14"."reporter",
            "t14"."partner",
            "t14"."product",
            "t14"."flow",
            "t14"."period",
            "t14"."phase",
            "t14"."offset",
            "t14"."value",
            "t18"."before_months",
            "t18"."before_mean",
            "t18"."before_median"
          FROM "t12" AS "t14"
          INNER JOIN "t15" AS "t18"
            ON "t14"."event_id" = "t18"."event_id"
            AND "t14"."reporter" = "t18"."reporter"
            AND "t14"."partner" = "t18"."partner"
            AND "t14"."product" = "t18"."product"
            AND "t14"."flow" = "t18"."flow"
        ) AS "t19"
      ) AS "t20"
      GROUP BY
        1,
        2,
        3,
        4,
        5
    ) AS "t22"
      ON "t17"."event_id" = "t22"."event_id"
      AND "t17"."reporter" = "t22"."reporter"
      AND "t17"."partner" = "t22"."partner"
      AND "t17"."product" = "t22"."product"
      AND "t17"."flow" = "t22"."flow"
  ) AS "t23"
) AS "t25"
  ON "t10"."_e" = "t25"."_s_event_id"
  AND "t7"."reporter" = "t25"."_s_reporter"
  AND "t7"."partner" = "t25"."_s_partner"
  AND "t7"."product" = "t25"."_s_product"
  AND "t7"."flow" = "t25"."_s_flow"
