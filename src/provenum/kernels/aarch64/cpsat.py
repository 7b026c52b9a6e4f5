"""The shared CP-SAT scheduler (kernels/cpsat.py) bound to the Neoverse N1 model (n1.py)."""
from __future__ import annotations

from .. import cpsat
from ..cpsat import STEP, WINDOW  # noqa: F401  (the window sizes reschedule splits budgets by)
from .n1 import MACHINE


def model_cycles(order_, nodes) -> int:
    """Cycles of the out-of-order N1 model for `order_`."""
    return cpsat.model_cycles(order_, nodes, MACHINE)


def solve(nodes, start_order, seconds_per_window: float = 1.0, deadline: float | None = None,
          window: int = WINDOW, step: int = STEP, seed: int = 0) -> list:
    """An order of the stretch's nodes for N1, solved window by window (cpsat.solve)."""
    return cpsat.solve(nodes, start_order, MACHINE, seconds_per_window, deadline, window, step, seed)
