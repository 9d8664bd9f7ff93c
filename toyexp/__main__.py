"""``python -m toyexp sweep ...`` is ``toyexp sweep ...``."""

import sys

from .cli import main

sys.exit(main())
