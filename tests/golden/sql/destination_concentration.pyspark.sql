SELECT
  `t13`.`reporter`,
  `t13`.`product`,
  `t13`.`flow`,
  `t13`.`period`,
  `t13`.`partners`,
  `t13`.`covered_value`,
  `t13`.`hhi`,
  `t6`.`total_value`,
  IF(`t6`.`total_value` > 0, (
    `t13`.`covered_value` * 100
  ) / `t6`.`total_value`, NULL) AS `coverage_pct`
FROM (
  SELECT
    `t11`.`reporter`,
    `t11`.`product`,
    `t11`.`flow`,
    `t11`.`period`,
    `t11`.`partners`,
    `t11`.`covered_value`,
    `t11`.`hhi`
  FROM (
    SELECT
      `t10`.`reporter`,
      `t10`.`product`,
      `t10`.`flow`,
      `t10`.`period`,
      `t10`.`partners`,
      `t10`.`covered_value`,
      `t10`.`_sq`,
      IF(
        `t10`.`covered_value` > 0,
        (
          `t10`.`_sq` * 10000
        ) / (
          `t10`.`covered_value` * `t10`.`covered_value`
        ),
        NULL
      ) AS `hhi`
    FROM (
      SELECT
        `t9`.`reporter`,
        `t9`.`product`,
        `t9`.`flow`,
        `t9`.`period`,
        COUNT(`t9`.`value`) AS `partners`,
        SUM(`t9`.`value`) AS `covered_value`,
        SUM(`t9`.`value` * `t9`.`value`) AS `_sq`
      FROM (
        SELECT
          *
        FROM (
          SELECT
            `t5`.`reporter`,
            `t5`.`partner`,
            `t5`.`product`,
            `t5`.`flow`,
            `t5`.`period`,
            `t5`.`value`
          FROM (
            SELECT
              *
            FROM `levels` AS `t0`
            WHERE
              `t0`.`flow` = 'export'
          ) AS `t5`
          LEFT SEMI JOIN (
            SELECT
              `t1`.`code` AS `_code`
            FROM `catalog_partners` AS `t1`
            WHERE
              `t1`.`kind` = 'country'
          ) AS `t7`
            ON `t5`.`partner` = `t7`.`_code`
        ) AS `t8`
      ) AS `t9`
      GROUP BY
        1,
        2,
        3,
        4
    ) AS `t10`
  ) AS `t11`
) AS `t13`
LEFT OUTER JOIN (
  SELECT
    `t0`.`reporter` AS `_w_reporter`,
    `t0`.`product` AS `_w_product`,
    `t0`.`flow` AS `_w_flow`,
    `t0`.`period` AS `_wp`,
    `t0`.`value` AS `total_value`
  FROM `levels` AS `t0`
  WHERE
    `t0`.`flow` = 'export' AND `t0`.`partner` = 'WLD'
) AS `t6`
  ON `t13`.`reporter` = `t6`.`_w_reporter`
  AND `t13`.`product` = `t6`.`_w_product`
  AND `t13`.`flow` = `t6`.`_w_flow`
  AND `t13`.`period` = `t6`.`_wp`
