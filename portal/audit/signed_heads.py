"""Checkpoints of the chain's head signed with Ed25519, kept outside the database.

Whoever owns the database can rewrite the whole chain so that every hash matches again. A
checkpoint — (seq, hash of the row at seq, time), signed with a private key the database never
sees — appended to a file where the auditors keep them, makes that visible: the rewritten
chain no longer holds the signed hash at that seq, and a new signature needs the key.
`flask audit checkpoint` appends one (from cron, every few minutes); `flask audit verify`
checks each signature with the public key and each (seq, hash) against the chain.

The file: `<AUDIT_CHECKPOINT_DIR>/audit-head-checkpoints.jsonl`, one JSON object a line.
Knows nothing of Flask.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from portal.audit.chain import canonical_json, utc_iso

CHECKPOINT_FORMAT = "portal-audit-head/1"
CHECKPOINT_FILE = "audit-head-checkpoints.jsonl"


class CheckpointError(RuntimeError):
    pass


@dataclass(frozen=True)
class HeadCheckpoint:
    seq: int
    hash: str
    at: str
    line: int


def generate_key_pair(private_path: str, public_path: str) -> None:
    """A new key pair; the private key file is created 0600 and never overwritten."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CheckpointError(f"{private_path} exists already; a key is never overwritten") from None
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_pem)
    with open(public_path, "wb") as handle:
        handle.write(public_pem)


def _load(path: str, loader, kind: str):
    try:
        with open(path, "rb") as handle:
            key = loader(handle.read())
    except (OSError, ValueError) as error:  # the message names the file, never its content
        raise CheckpointError(f"cannot read the {kind} key in {path}: {type(error).__name__}") from None
    expected = Ed25519PrivateKey if kind == "private" else Ed25519PublicKey
    if not isinstance(key, expected):
        raise CheckpointError(f"{path} does not hold an Ed25519 {kind} key")
    return key


def load_private_key(path: str) -> Ed25519PrivateKey:
    return _load(path, lambda data: serialization.load_pem_private_key(data, password=None), "private")


def load_public_key(path: str) -> Ed25519PublicKey:
    return _load(path, serialization.load_pem_public_key, "public")


def _signed_part(seq: int, head_hash: str, at: str) -> bytes:
    return canonical_json({"format": CHECKPOINT_FORMAT, "seq": seq, "hash": head_hash, "at": at}).encode("utf-8")


def append_checkpoint(private_key: Ed25519PrivateKey, directory: str, seq: int, head_hash: str,
                      now: datetime) -> str:
    """Sign (seq, hash, now) and append it to the directory's checkpoint file; returns the line."""
    at = utc_iso(now)
    signature = base64.b64encode(private_key.sign(_signed_part(seq, head_hash, at))).decode("ascii")
    line = canonical_json({"format": CHECKPOINT_FORMAT, "seq": seq, "hash": head_hash, "at": at,
                           "signature": signature})
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, CHECKPOINT_FILE), "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return line


def read_checkpoints(public_key: Ed25519PublicKey, directory: str) -> list[HeadCheckpoint]:
    """Every checkpoint in the file, each signature checked; CheckpointError names the first
    line that is not a well-signed checkpoint."""
    path = os.path.join(directory, CHECKPOINT_FILE)
    if not os.path.exists(path):
        return []
    checkpoints = []
    with open(path, encoding="utf-8") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
                seq, head_hash, at = int(fields["seq"]), str(fields["hash"]), str(fields["at"])
                public_key.verify(base64.b64decode(fields["signature"], validate=True),
                                  _signed_part(seq, head_hash, at))
            except InvalidSignature:
                raise CheckpointError(f"{path} line {number}: the signature does not match (forged or changed)")
            except (ValueError, KeyError, TypeError):
                raise CheckpointError(f"{path} line {number}: not a checkpoint")
            if fields.get("format") != CHECKPOINT_FORMAT:
                raise CheckpointError(f"{path} line {number}: not a checkpoint")
            checkpoints.append(HeadCheckpoint(seq, head_hash, at, number))
    return checkpoints
