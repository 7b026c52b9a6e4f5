"""Constant time checked dynamically (`provenum ct-check`).

memcheck      the private-key path under valgrind's memcheck with every secret poisoned
              (driver.c, built from the library's own sources)
instructions  every instruction of the built library against an allow-list of
              data-independent-timing instructions (Intel's DOIT list)

Timing across bit densities is a benchmark, not a check: provenum.bench.ct.
"""
