"""Helpers for tests that run kernels: skip, saying why, what this CPU cannot run."""
import pytest

from provenum.kernels import host_isa, isa_levels

level_features = isa_levels(host_isa()).level_features


def skip_unless_cpu_runs(level: str) -> None:
    from provenum.native import dispatch

    if not dispatch.can_run(level):
        lacks = sorted(level_features(level) - dispatch.cpu().features)
        pytest.skip(f"this CPU cannot run the {level} level: it lacks {', '.join(lacks)} "
                    f"(the {level} variants are still proved by `provenum verify`)")


def variant_function(kernel):
    """The checked wrapper of one variant; skips when this CPU cannot run its level."""
    import provenum.native as N

    skip_unless_cpu_runs(kernel.level)
    return getattr(N, kernel.name)
