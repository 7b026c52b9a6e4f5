"""Every RSA file of Project Wycheproof through provenum's public API (see wycheproof.py):
valid vectors pass, invalid ones fail, acceptable ones go as with pyca/cryptography.
Skipped, saying where it looked, when the vector folder is absent."""
import json

import pytest

import wycheproof

FOLDER, WHERE = wycheproof.locate()
FILES = wycheproof.files(FOLDER) if FOLDER else []
needs_vectors = pytest.mark.skipif(FOLDER is None, reason=f"no Wycheproof vectors at {WHERE}")


@needs_vectors
@pytest.mark.parametrize("name", FILES or ["(none)"])
def test_wycheproof_file(name, dispatch_level):
    result = wycheproof.run_file(FOLDER / name)
    assert result["tests"] == result["declared"], "every vector of the file ran"
    assert not result["failures"], f"{name}: tcIds {result['failures']} not as expected"


@needs_vectors
def test_every_file_is_run():
    """No RSA file is left out: each has a runner for its schema, and together they
    hold what the folder's README describes (verification, PSS with parameters,
    signature generation, PKCS#1 v1.5 and OAEP decryption, three-prime keys)."""
    schemas = {json.loads((FOLDER / name).read_text())["schema"] for name in FILES}
    assert schemas == set(wycheproof.RUNNERS)
    assert any(name.startswith("rsa_three_primes_") for name in FILES)
    assert len(FILES) == len(list(FOLDER.glob("rsa_*.json")))
