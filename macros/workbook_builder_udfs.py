"""UDF module for xlwings' "UDF Modules" setting: the WB_* functions of workbook_builder.udf.

The .xlsm built with ``workbook-builder build --macros`` already points UDF Modules at
``workbook_builder.udf``; this file is for those who prefer a module beside the workbook.
"""

from workbook_builder.udf import (WB_BANDS, WB_CHECK, WB_CHECKLIST, WB_DEDUCT, WB_GRADE,  # noqa: F401
                                  WB_GRADE_SHARE, WB_LINEAR, WB_MANUAL, WB_RATIO, WB_YES_NO, check_workbook)
