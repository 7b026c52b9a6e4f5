"""Fixtures and helpers shared by every test directory.

Test helpers (tests/*util.py, cpu_levels.py) are importable from every test.
CPU levels: a test that must execute a variant of a level this CPU lacks is
skipped with the reason (cpu_levels.py); on a CPU that has a level, every
level below it is tested too, by forcing the dispatch table down
(`dispatch_level`).
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cpu_levels import skip_unless_cpu_runs  # noqa: E402
from provenum.kernels import host_isa, isa_levels  # noqa: E402

LEVEL_NAMES = isa_levels(host_isa()).LEVEL_NAMES     # the native library's ISA's levels


@pytest.fixture(params=LEVEL_NAMES)
def dispatch_level(request):
    """Run the test with the dispatch table forced to each level this CPU runs."""
    from provenum.native import dispatch

    skip_unless_cpu_runs(request.param)
    with dispatch.forced_level(request.param):
        yield request.param
