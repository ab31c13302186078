"""``python3 -m workbook_builder ...`` is the ``workbook-builder`` command."""

import sys

from .cli import main

sys.exit(main())
