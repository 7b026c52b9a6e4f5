"""The README's RSA demo runs as written."""
import os
import re

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def test_readme_rsa_demo_runs():
    with open(README) as f:
        text = f.read()
    section = text[text.index("## RSA\n"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    key, signature = scope["key"], scope["signature"]
    assert key.key_size == 2048 and len(signature) == 256
    assert scope["pyca_key"].private_numbers() == key.private_numbers()
    from provenum.rsa import InvalidSignature, hashes, padding

    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH)
    try:
        key.public_key().verify(signature, b"hellO", pss, hashes.SHA256())
    except InvalidSignature:
        pass
    else:
        raise AssertionError("a changed message verified")
