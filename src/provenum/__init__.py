"""provenum: fast RSA on constant-time big-number kernels proved from their machine code."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("provenum")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
