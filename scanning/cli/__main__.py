"""``python -m scanning.cli``: the command line's entry (see ``scanning.cli``)."""

import sys

from scanning.cli import main

sys.exit(main())
