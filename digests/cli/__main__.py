"""`python -m digests.cli`: the same as the `kpu-digest` script."""

import sys

from digests.cli import main

sys.exit(main())
