"""The local web console (``workbook-builder serve``): a whole round in the browser, for the bureau and its
departments — 指标体系, 分发, 收表, 部门自查 and 汇总 — on one machine, with no internet."""
