"""RSA key pairs for the Alipay simulator and HQ's merchant configuration (made once per run)."""

from __future__ import annotations

from functools import cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


@cache
def key_pair(name: str) -> tuple[str, str]:
    """``(private PEM, public PEM)`` of a 2048-bit RSA key named ``name`` (cached per process)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@cache
def private_key(name: str) -> rsa.RSAPrivateKey:
    """The loaded private key of :func:`key_pair` ``name`` (loading checks it: slow, so once)."""
    key = serialization.load_pem_private_key(key_pair(name)[0].encode(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def bare_base64(public_pem: str) -> str:
    """A public key as Alipay's console shows it: base64 without the PEM armour."""
    return "".join(line for line in public_pem.splitlines() if not line.startswith("-----"))


__all__ = ["bare_base64", "key_pair", "private_key"]
