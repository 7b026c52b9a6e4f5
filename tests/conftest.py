"""Fixtures shared by every test directory: CPU levels.

A test that must execute a variant of a level this CPU lacks is skipped with
the reason (cpu_levels.py); on a CPU that has a level, every level below it
is tested too, by forcing the dispatch table down (`dispatch_level`).
"""
import pytest

from cpu_levels import skip_unless_cpu_runs
from provenum.isa.x86_64.features import LEVEL_NAMES


@pytest.fixture(params=LEVEL_NAMES)
def dispatch_level(request):
    """Run the test with the dispatch table forced to each level this CPU runs."""
    from provenum.native import dispatch

    skip_unless_cpu_runs(request.param)
    with dispatch.forced_level(request.param):
        yield request.param
