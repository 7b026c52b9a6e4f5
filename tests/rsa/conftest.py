import os

import pytest

DATA = os.path.join(os.path.dirname(__file__), "data")


def data_path(name: str) -> str:
    return os.path.join(DATA, name)


@pytest.fixture(scope="session")
def test_keys():
    """provenum keys loaded from the fixed OpenSSL-generated test keys, by size."""
    from provenum import rsa

    keys = {}
    for bits in (1024, 1536, 2047, 2048, 3072, 4096):
        with open(data_path(f"rsa{bits}.pem"), "rb") as f:
            keys[bits] = rsa.load_pem_private_key(f.read())
    return keys


@pytest.fixture(params=["default"])
def dispatch_level(request):
    """The kernel dispatch level a known-answer test runs at: today the library's
    default. To run these tests at every level the CPU has, parametrise this
    fixture (and force the level here) -- one change covers them all."""
    return request.param
