"""python -m provenum: the same as the `provenum` command."""
import sys

from provenum.cli import main

sys.exit(main())
