SELECT
  "t12"."reporter",
  "t12"."product",
  "t12"."flow",
  "t12"."period",
  "t12"."partners",
  "t12"."covered_value",
  "t12"."hhi",
  "t6"."total_value",
  CASE
    WHEN "t6"."total_value" > 0
    THEN (
      "t12"."covered_value" * 100
    ) / "t6"."total_value"
    ELSE NULL
  END AS "coverage_pct"
FROM (
  SELECT
    "t10".*
    EXCLUDE ("_sq")
  FROM (
    SELECT
      "t9"."reporter",
      "t9"."product",
      "t9"."flow",
      "t9"."period",
      "t9"."partners",
      "t9"."covered_value",
      "t9"."_sq",
      CASE
        WHEN "t9"."covered_value" > 0
        THEN (
          "t9"."_sq" * 10000
        ) / (
          "t9"."covered_value" * "t9"."covered_value"
        )
        ELSE NULL
      END AS "hhi"
    FROM (
      SELECT
        "t8"."reporter",
        "t8"."product",
        "t8"."flow",
        "t8"."period",
        COUNT("t8"."value") AS "partners",
        SUM("t8"."value") AS "covered_value",
        SUM("t8"."value" * "t8"."value") AS "_sq"
      FROM (
        SELECT
          "t5"."reporter",
          "t5"."partner",
          "t5"."product",
          "t5"."flow",
          "t5"."period",
          "t5"."value"
        FROM (
          SELECT
            *
          FROM "levels" AS "t0"
          WHERE
            "t0"."flow" = 'export'
        ) AS "t5"
        SEMI JOIN (
          SELECT
            "t1"."code" AS "_code"
          FROM "catalog_partners" AS "t1"
          WHERE
            "t1"."kind" = 'country'
        ) AS "t7"
          ON "t5"."partner" = "t7"."_code"
      ) AS "t8"
      GROUP BY
        1,
        2,
        3,
        4
    ) AS "t9"
  ) AS "t10"
) AS "t12"
LEFT OUTER JOIN (
  SELECT
    "t0"."reporter" AS "_w_reporter",
    "t0"."product" AS "_w_product",
    "t0"."flow" AS "_w_flow",
    "t0"."period" AS "_wp",
    "t0"."value" AS "total_value"
  FROM "levels" AS "t0"
  WHERE
    "t0"."flow" = 'export' AND "t0"."partner" = 'WLD'
) AS "t6"
  ON "t12"."reporter" = "t6"."_w_reporter"
  AND "t12"."product" = "t6"."_w_product"
  AND "t12"."flow" = "t6"."_w_flow"
  AND "t12"."period" = "t6"."_wp"
