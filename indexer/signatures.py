"""The digital signature status of a PDF, checked with pyHanko: the `files[].signature` object.

Nothing is fetched from the network: no OCSP, CRL or certificate (AIA) look-ups. A signer is
trusted only when its chain ends at one of the trust roots the operator configured, never at
the operating system's list. The check never raises: a file it cannot judge is `unknown`.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from io import BytesIO
from typing import BinaryIO

from asn1crypto import x509 as asn1_x509
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)

NONE, VALID, UNKNOWN, INVALID = "none", "valid", "unknown", "invalid"
_SEVERITY = {VALID: 0, UNKNOWN: 1, INVALID: 2}

# Signing certificates in the field carry digitalSignature, nonRepudiation or both.
_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)


class TrustRootsError(ValueError):
    """The configured bundle of trust roots cannot be read."""


def is_pdf(media_type: str | None, name: str | None) -> bool:
    return (media_type or "").lower() == "application/pdf" or (name or "").lower().endswith(".pdf")


def load_trust_roots(path: str | None) -> list[asn1_x509.Certificate]:
    """The certificates of a PEM (or DER) bundle; no path means no trusted roots at all."""
    if not path:
        return []
    try:
        with open(os.path.expanduser(path), "rb") as bundle:
            roots = list(load_certs_from_pemder_data(bundle.read()))
    except OSError as error:
        raise TrustRootsError(f"cannot read the signature trust roots {path!r}: {error.strerror}") from error
    except Exception as error:  # asn1crypto raises ValueError and others for a malformed bundle
        raise TrustRootsError(f"{path!r} is not a bundle of PEM certificates: {error}") from error
    if not roots:
        raise TrustRootsError(f"{path!r} holds no certificates")
    return roots


def check_pdf_signature(content: bytes | BinaryIO, trust_roots: Iterable | None = None) -> dict:
    """{"status": none|valid|unknown|invalid, "signer": common name, "signed_at": ISO 8601 UTC}.

    Every signature (/Sig) of the file is checked; the file takes the worst status among them
    (invalid, then unknown, then valid), with the signer and time of the signature that gave
    it, the latest one when several share it. `content` is the file's bytes or the open file (seekable;
    pyHanko reads the parts it needs, so a large file is not loaded whole). Document timestamps (/DocTimeStamp) are not signers'
    signatures and are not counted, though an illegitimate change after signing still is.
    """
    try:
        signatures = _embedded_signatures(content)
        if not signatures:
            return {"status": NONE}
        roots = _asn1_certificates(trust_roots or [])
        worst: dict = {}
        for embedded in signatures:
            checked = _check_one(embedded, roots)
            if not worst or _SEVERITY[checked["status"]] >= _SEVERITY[worst["status"]]:
                worst = checked
        return worst
    except Exception as error:  # a file pyHanko cannot read is not judged, and the harvest goes on
        log.info("PDF signatures not checked: %s: %s", type(error).__name__, error)
        return {"status": UNKNOWN}


def _embedded_signatures(content: bytes | BinaryIO) -> list:
    """The document's signatures, read strictly; one that only a lenient reading can parse is
    not judged (a malformed file is where shadow attacks hide) unless it has no signature."""
    stream = BytesIO(content) if isinstance(content, (bytes, bytearray)) else content
    try:
        stream.seek(0)
        return list(PdfFileReader(stream, strict=True).embedded_regular_signatures)
    except Exception as strict_error:
        stream.seek(0)
        lenient = PdfFileReader(stream, strict=False).embedded_regular_signatures
        if lenient:
            raise strict_error
        return []


def _check_one(embedded, roots: list[asn1_x509.Certificate]) -> dict:
    result: dict = {}
    try:
        signer = _common_name(embedded.signer_cert)
        if signer:
            result["signer"] = signer
    except Exception:  # a signature without a readable certificate still gets a status
        pass
    try:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        status = _outside_running_loop(validate_pdf_signature, embedded, context,
                                       key_usage_settings=_KEY_USAGE)
    except Exception as error:  # malformed or unsupported signature: it cannot be judged either way
        log.info("PDF signature %s not checked: %s: %s", embedded.field_name, type(error).__name__, error)
        signed_at = _self_reported_time(embedded)
        if signed_at:
            result["signed_at"] = signed_at
        return {"status": UNKNOWN, **result}
    signed_at = _signing_time(status)
    if signed_at:
        result["signed_at"] = signed_at
    return {"status": _status_of(status), **result}


def _status_of(status) -> str:
    timestamp = status.timestamp_validity
    tampered = (
        not (status.intact and status.valid)
        or status.coverage is None
        or status.coverage < SignatureCoverageLevel.ENTIRE_REVISION
        # changes appended after signing that the document's modification policy does not allow
        or (status.modification_level is not None and not status.docmdp_ok)
        or (timestamp is not None and not (timestamp.intact and timestamp.valid))
    )
    if tampered:
        return INVALID
    return VALID if status.bottom_line else UNKNOWN


def _signing_time(status) -> str | None:
    """A trusted timestamp's time if there is one, else the time the signer's software wrote."""
    timestamp = status.timestamp_validity
    if timestamp is not None and timestamp.trusted and timestamp.timestamp:
        return _iso_utc(timestamp.timestamp)
    return _iso_utc(status.signer_reported_dt)


def _self_reported_time(embedded) -> str | None:
    try:
        return _iso_utc(embedded.self_reported_timestamp)
    except Exception:
        return None


def _iso_utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _common_name(certificate: asn1_x509.Certificate) -> str | None:
    name = certificate.subject.native.get("common_name")
    if isinstance(name, list):  # several CN attributes: the most specific comes last
        name = name[-1] if name else None
    if name and str(name).strip():
        return str(name).strip()
    return certificate.subject.human_friendly or None  # no CN: the whole subject names the signer


def _asn1_certificates(certificates: Iterable) -> list[asn1_x509.Certificate]:
    """asn1crypto certificates, from those or from `cryptography` ones (tests make those)."""
    converted = []
    for certificate in certificates:
        if isinstance(certificate, asn1_x509.Certificate):
            converted.append(certificate)
        elif isinstance(certificate, (bytes, bytearray)):
            converted.append(asn1_x509.Certificate.load(bytes(certificate)))
        else:
            from cryptography.hazmat.primitives.serialization import Encoding

            converted.append(asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER)))
    return converted


def _outside_running_loop(function, *args, **kwargs):
    """pyHanko's synchronous API runs an event loop of its own, which cannot start inside a
    running one (an async server, a browser-test driver): there it runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()
