"""pyca/cryptography's RSA API entry point by entry point: provenum behaves the same,
except where pyca_surface.DIFFERENCES says why not (and there it really differs)."""
import pytest

import pyca_surface as surface

_ROWS = {}


def rows():
    if not _ROWS:
        _ROWS.update({name: (a, b, verdict) for name, a, b, verdict in surface.compare()})
    return _ROWS


@pytest.mark.parametrize("name", [name for name, _ in surface.CASES])
def test_entry_point(name):
    pyca, ours, verdict = rows()[name]
    if name in surface.DIFFERENCES:
        assert verdict != "same", f"{name}: listed as different but behaves as pyca: drop it from DIFFERENCES"
        if verdict == "same exception, other message":
            return
        assert pyca != ours
    else:
        assert verdict == "same", f"{name}: pyca {pyca!r}, provenum {ours!r}"


def test_the_surface_is_wide():
    """The table covers the whole RSA surface pyca documents: every public name of
    rsa, padding and the RSA loaders is exercised somewhere."""
    names = " ".join(name for name, _ in surface.CASES)
    for entry in ["generate_private_key", "RSAPublicNumbers", "RSAPrivateNumbers", "rsa_crt_iqmp",
                  "rsa_recover_private_exponent", "rsa_recover_prime_factors", "RSAPrivateKeyWithSerialization",
                  "RSAPublicKeyWithSerialization", "calculate_max_pss_salt_length", "sign", "verify",
                  "recover_data_from_signature", "encrypt", "decrypt", "private_bytes", "public_bytes",
                  "load_pem_private_key", "load_der_private_key", "load_pem_public_key", "load_der_public_key",
                  "load_ssh_public_key", "load_ssh_private_key", "Prehashed", "NoDigestInfo", "OAEP", "PSS",
                  "MGF1", "copy.deepcopy", "isinstance"]:
        assert entry in names, entry
    assert len(surface.CASES) >= 150
