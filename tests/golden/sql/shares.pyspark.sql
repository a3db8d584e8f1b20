SELECT
  `t3`.`reporter`,
  `t3`.`partner`,
  `t3`.`product`,
  `t3`.`flow`,
  `t3`.`period`,
  `t3`.`value`,
  `t4`.`total_value`,
  IF(`t4`.`total_value` > 0, (
    `t3`.`value` * 100
  ) / `t4`.`total_value`, NULL) AS `share_pct`
FROM (
  SELECT
    *
  FROM `levels` AS `t0`
  WHERE
    `t0`.`partner` <> 'WLD'
) AS `t3`
LEFT OUTER JOIN (
  SELECT
    `t0`.`reporter` AS `_t_reporter`,
    `t0`.`product` AS `_t_product`,
    `t0`.`flow` AS `_t_flow`,
    `t0`.`period` AS `_tp`,
    `t0`.`value` AS `total_value`
  FROM `levels` AS `t0`
  WHERE
    `t0`.`partner` = 'WLD'
) AS `t4`
  ON `t3`.`reporter` = `t4`.`_t_reporter`
  AND `t3`.`product` = `t4`.`_t_product`
  AND `t3`.`flow` = `t4`.`_t_flow`
  AND `t3`.`period` = `t4`.`_tp`
