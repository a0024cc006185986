"""Keys that sign the audit seals: a private key the database never holds, public keys to verify with.

Whoever can write to the database can rewrite events and recompute every hash and every seal digest: the
hashes are not keyed. A signature is. The sealer (the scheduler, ``flowengine audit seal``) signs each seal's
``digest`` — which chains every earlier seal and covers every sealed event — with a private key kept in a
file on the scheduler's host (``FLOWENGINE_AUDIT_SIGNING_KEY``); ``audit verify`` checks each signature
against the public keys it trusts (``FLOWENGINE_AUDIT_PUBLIC_KEYS``, or ``--public-keys``). A chain
rewritten without the private key no longer verifies.

The design is algorithm-agile: a key is named ``<algorithm>:<fingerprint>`` (the first 16 hex digits of the
SHA-256 of its raw public key), the seal stores that name next to the signature, and :data:`ALGORITHMS`
maps an algorithm's name to its implementation. Ed25519 (RFC 8032, through ``cryptography``) is the one
shipped. SM2 (GB/T 32918, asked for by GB/T 39786 where 国密 compliance is required) would be a second
entry: ``cryptography`` does not expose it, and the Python SM2 packages available today are not solid
enough to sign an audit trail with (docs/security.md says why); a deployment that must use SM2 adds it
here once a maintained binding exists, and old Ed25519 seals stay verifiable beside the new ones.

Files. The private key: PKCS #8 PEM, mode 0600. The public keys ("key ring"): one key per line,
``<algorithm> <base64 raw public key> [comment]``, blank lines and ``#`` comments allowed, like OpenSSH's
``authorized_keys``. Rotation (:func:`generate_key` with ``rotate``) replaces the private key and appends the
new public key; the old public keys stay in the ring, so the seals they signed still verify.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from flowengine.errors import ConfigurationError

# Domain separation: a seal's signature can be mistaken for no other signature made with the same key.
SEAL_CONTEXT = b"flowengine audit seal v1\n"


def seal_message(digest: str) -> bytes:
    """What a seal's signature signs: its digest (which covers its fields, its heads and the seal before)."""
    return SEAL_CONTEXT + digest.encode("ascii")


class Algorithm(Protocol):
    name: str

    def generate(self) -> bytes:
        """A new private key as PKCS #8 PEM."""

    def public_raw(self, private_pem: bytes) -> bytes: ...

    def sign(self, private_pem: bytes, message: bytes) -> bytes: ...

    def verify(self, public_raw: bytes, message: bytes, signature: bytes) -> bool: ...


class _Ed25519:
    name = "ed25519"

    def generate(self) -> bytes:
        return Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @staticmethod
    def _private(pem: bytes) -> Ed25519PrivateKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 private key")
        return key

    def public_raw(self, private_pem: bytes) -> bytes:
        return (
            self._private(private_pem)
            .public_key()
            .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        )

    def sign(self, private_pem: bytes, message: bytes) -> bytes:
        return self._private(private_pem).sign(message)

    def verify(self, public_raw: bytes, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


ALGORITHMS: dict[str, Algorithm] = {"ed25519": _Ed25519()}
DEFAULT_ALGORITHM = "ed25519"


def key_id(algorithm: str, public_raw: bytes) -> str:
    return f"{algorithm}:{hashlib.sha256(public_raw).hexdigest()[:16]}"


@dataclass(frozen=True)
class PublicKey:
    algorithm: str
    raw: bytes
    comment: str = ""

    @property
    def id(self) -> str:
        return key_id(self.algorithm, self.raw)

    @property
    def line(self) -> str:
        """The key as a line of a public keys file."""
        text = f"{self.algorithm} {base64.b64encode(self.raw).decode('ascii')}"
        return f"{text} {self.comment}" if self.comment else text

    def verify(self, digest: str, signature: str) -> bool:
        try:
            raw_signature = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            return False
        return ALGORITHMS[self.algorithm].verify(self.raw, seal_message(digest), raw_signature)

    def __str__(self) -> str:
        return f"{self.id}（{self.comment}）" if self.comment else self.id


class KeyRing(Mapping[str, PublicKey]):
    """The public keys a verifier trusts, by key id."""

    def __init__(self, keys: list[PublicKey] | None = None, source: str = "") -> None:
        self._keys = {k.id: k for k in keys or []}
        self.source = source

    def __getitem__(self, kid: str) -> PublicKey:
        return self._keys[kid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def name(self, kid: str | None) -> str:
        """A key's id with its comment, as reports name it."""
        if kid is None:
            return "无"
        return str(self._keys[kid]) if kid in self._keys else kid

    @classmethod
    def parse(cls, text: str, source: str = "") -> KeyRing:
        keys = []
        for n, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split(maxsplit=2)
            where = f"{source}:{n}" if source else f"第 {n} 行"
            if len(parts) < 2 or parts[0] not in ALGORITHMS:
                known = "、".join(ALGORITHMS)
                raise ConfigurationError(
                    f"审计公钥文件 {where} 应为“算法 公钥(base64) [备注]”，算法为 {known}"
                )
            try:
                public = base64.b64decode(parts[1], validate=True)
            except (binascii.Error, ValueError):
                raise ConfigurationError(f"审计公钥文件 {where}：公钥不是有效的 base64") from None
            if len(public) != 32:
                raise ConfigurationError(
                    f"审计公钥文件 {where}：{parts[0]} 公钥应为 32 字节，而不是 {len(public)} 字节"
                )
            keys.append(PublicKey(parts[0], public, parts[2].strip() if len(parts) > 2 else ""))
        return cls(keys, source)

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"无法读取审计公钥文件 {path}：{exc.strerror or exc}") from None
        return cls.parse(text, str(path))


@dataclass(frozen=True)
class SigningKey:
    """The sealer's private key (read from its file once, when the services open)."""

    algorithm: str
    pem: bytes
    public: PublicKey

    @property
    def id(self) -> str:
        return self.public.id

    def sign(self, digest: str) -> str:
        return base64.b64encode(ALGORITHMS[self.algorithm].sign(self.pem, seal_message(digest))).decode(
            "ascii"
        )

    @classmethod
    def from_pem(cls, pem: bytes, comment: str = "") -> SigningKey:
        for name, algorithm in ALGORITHMS.items():
            try:
                raw = algorithm.public_raw(pem)
            except (ValueError, TypeError):
                continue
            return cls(name, pem, PublicKey(name, raw, comment))
        raise ValueError(f"not a private key of a known algorithm ({', '.join(ALGORITHMS)})")

    @classmethod
    def load(cls, path: Path) -> SigningKey:
        try:
            pem = path.read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"无法读取审计签名私钥 {path}：{exc.strerror or exc}") from None
        try:
            return cls.from_pem(pem)
        except ValueError:
            raise ConfigurationError(
                f"审计签名私钥 {path} 不是可用的私钥（应为 flowengine audit keygen 生成的 PKCS #8 PEM 文件）"
            ) from None


def check_pair(signer: SigningKey | None, ring: KeyRing | None) -> None:
    """A signing key whose public key the verifiers do not trust would sign seals that never verify."""
    if signer is not None and ring is not None and signer.id not in ring:
        raise ConfigurationError(
            f"审计签名私钥（密钥 {signer.id}）的公钥不在审计公钥文件 {ring.source} 中："
            "用它签名的封存将无法核对。请把 flowengine audit keygen 打印的公钥加入该文件。"
        )


@dataclass(frozen=True)
class NewKey:
    key: PublicKey
    private_path: Path
    public_keys_path: Path
    retired: PublicKey | None  # the key it replaces (rotation), whose public key stays in the ring


def _write_private(path: Path, pem: bytes) -> None:
    """Write the key next to ``path``, 0600 from its creation, then move it into place (atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _append_public(path: Path, key: PublicKey) -> None:
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if any(k == key.id for k in KeyRing.parse(existing, str(path))):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        if existing and not existing.endswith("\n"):
            fh.write("\n")
        fh.write(key.line + "\n")


def generate_key(
    private_path: Path,
    public_keys_path: Path,
    *,
    rotate: bool = False,
    comment: str | None = None,
    algorithm: str = DEFAULT_ALGORITHM,
    now: dt.datetime | None = None,
) -> NewKey:
    """A new signing key at ``private_path`` (0600), its public key appended to ``public_keys_path``.

    An existing private key is replaced only with ``rotate``; its public key is kept in (or first added to)
    the ring, so the seals it signed stay verifiable. The ring is written before the private key, so a seal
    signed with the new key can always be verified.
    """
    if algorithm not in ALGORITHMS:
        raise ConfigurationError(f"不支持的签名算法 {algorithm}（可用：{'、'.join(ALGORITHMS)}）")
    retired = None
    if private_path.exists():
        retired = SigningKey.load(private_path).public
        if not rotate:
            raise ConfigurationError(
                f"{private_path} 已有审计签名私钥（密钥 {retired.id}）；更换密钥请加 --rotate，旧公钥会保留以核对旧封存"
            )
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d")
    pem = ALGORITHMS[algorithm].generate()
    new = SigningKey.from_pem(pem, comment if comment is not None else f"flowengine audit {when}")
    if retired is not None:
        _append_public(public_keys_path, PublicKey(retired.algorithm, retired.raw, f"retired {when}"))
    _append_public(public_keys_path, new.public)
    _write_private(private_path, pem)
    return NewKey(new.public, private_path, public_keys_path, retired)
