"""`python -m ideas.counting count FILE ...`: the counting command line without Django."""

import sys

from .cli import main

sys.exit(main())
