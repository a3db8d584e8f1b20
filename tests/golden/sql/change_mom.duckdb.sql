SELECT
  "t3"."reporter",
  "t3"."partner",
  "t3"."product",
  "t3"."flow",
  "t3"."period",
  "t3"."value",
  "t4"."base_period",
  "t4"."base_value",
  CASE
    WHEN "t4"."base_value" > 0
    THEN (
      (
        "t3"."value" / "t4"."base_value"
      ) - 1
    ) * 100
    ELSE NULL
  END AS "change_pct"
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
) AS "t3"
LEFT OUTER JOIN (
  SELECT
    "t0"."reporter" AS "_b_reporter",
    "t0"."partner" AS "_b_partner",
    "t0"."product" AS "_b_product",
    "t0"."flow" AS "_b_flow",
    (
      (
        EXTRACT(year FROM "t0"."period") * 12
      ) + EXTRACT(month FROM "t0"."period")
    ) - 1 AS "_bm",
    "t0"."period" AS "base_period",
    "t0"."value" AS "base_value"
  FROM "levels" AS "t0"
) AS "t4"
  ON "t3"."reporter" = "t4"."_b_reporter"
  AND "t3"."partner" = "t4"."_b_partner"
  AND "t3"."product" = "t4"."_b_product"
  AND "t3"."flow" = "t4"."_b_flow"
  AND "t3"."_m" = (
    "t4"."_bm" + 1
  )
