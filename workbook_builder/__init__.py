"""workbook-builder: 部门整体支出绩效自评 workbooks with live scoring formulas."""

__version__ = "0.1.0"
