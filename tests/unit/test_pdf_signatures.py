"""The signature status of a PDF: made here with a test CA, a signer and pyHanko, then tampered with.

The certificates and PDFs are built in the test (cryptography, fpdf2, pyHanko's signer), so nothing
depends on a file that could go stale; the integration test borrows the helpers below.
"""
from __future__ import annotations

import asyncio

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from io import BytesIO

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fpdf import FPDF
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from indexer.signatures import TrustRootsError, check_pdf_signature, is_pdf, load_trust_roots

PAGE_TEXT = "Quyet dinh so 15/QD-UBND ve viec thanh lap Hoi dong xac dinh gia tri tai lieu"
SIGNER_NAME = "Trung tam Luu tru lich su tinh Vinh Long"


@dataclass
class SigningIdentity:
    ca_certificate: x509.Certificate
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    def signer(self) -> signers.SimpleSigner:
        return signers.SimpleSigner(
            signing_cert=_asn1(self.certificate),
            signing_key=asn1_keys.PrivateKeyInfo.load(self.private_key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            cert_registry=SimpleCertificateStore.from_certs([_asn1(self.ca_certificate)]),
        )

    def ca_pem(self) -> bytes:
        return self.ca_certificate.public_bytes(serialization.Encoding.PEM)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test archives"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def make_signing_identity(signer_name: str = SIGNER_NAME, ca_name: str = "Test Root CA") -> SigningIdentity:
    """A self-signed CA and a signer certificate it issued, both valid from yesterday for a year."""
    now = datetime.now(timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(ca_name)).issuer_name(_name(ca_name))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name)).issuer_name(ca_certificate.subject)
        .public_key(signer_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return SigningIdentity(ca_certificate, certificate, signer_key)


def make_pdf(text: str = PAGE_TEXT) -> bytes:
    """One page, its content stream left uncompressed so a test can find its words in the bytes."""
    pdf = FPDF()
    pdf.set_compression(False)
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def sign_pdf(content: bytes, identity: SigningIdentity, field_name: str = "Signature1") -> bytes:
    """Signed as an incremental update, as a signing application does."""
    writer = IncrementalPdfFileWriter(BytesIO(content))
    signed = signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name=field_name), signer=identity.signer())
    return signed.getvalue()


def tamper(signed: bytes, old: bytes = b"15/QD", new: bytes = b"16/QD") -> bytes:
    """The same length of bytes changed inside the signed range: the page's content stream."""
    assert len(old) == len(new) and signed.count(old) == 1
    return signed.replace(old, new)


@pytest.fixture(scope="module")
def identity() -> SigningIdentity:
    return make_signing_identity()


@pytest.fixture(scope="module")
def signed(identity) -> bytes:
    return sign_pdf(make_pdf(), identity)


@pytest.fixture()
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: validation must stay offline."""
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access during signature validation: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)


def test_unsigned_pdf_has_no_signature(no_network):
    assert check_pdf_signature(make_pdf(), trust_roots=[]) == {"status": "none"}


def test_signed_pdf_with_trusted_root_is_valid_with_signer_and_time(identity, signed, no_network):
    before = datetime.now(timezone.utc) - timedelta(minutes=5)
    result = check_pdf_signature(signed, trust_roots=[identity.ca_certificate])
    assert result["status"] == "valid"
    assert result["signer"] == SIGNER_NAME
    signed_at = datetime.fromisoformat(result["signed_at"])
    assert signed_at.utcoffset() == timedelta(0)
    assert before <= signed_at <= datetime.now(timezone.utc)
    assert set(result) == {"status", "signer", "signed_at"}  # the index mapping is strict


def test_signature_is_checked_even_inside_a_running_event_loop(identity, signed):
    async def inside_a_loop():
        return check_pdf_signature(signed, trust_roots=[identity.ca_certificate])

    assert asyncio.run(inside_a_loop())["status"] == "valid"


def test_signed_pdf_without_trust_roots_has_an_unknown_signer(identity, signed, no_network):
    result = check_pdf_signature(signed, trust_roots=[])
    assert result["status"] == "unknown"
    assert result["signer"] == SIGNER_NAME
    assert result["signed_at"]


def test_signed_pdf_under_another_root_has_an_unknown_signer(signed, no_network):
    stranger = make_signing_identity(ca_name="Some Other CA")
    assert check_pdf_signature(signed, trust_roots=[stranger.ca_certificate])["status"] == "unknown"


def test_signer_certificate_alone_is_not_a_trust_root_unless_configured(identity, signed, no_network):
    # The CA's certificate travels inside the signature; that must not make it trusted.
    assert check_pdf_signature(signed, trust_roots=None)["status"] == "unknown"


def test_pdf_changed_inside_the_signed_bytes_is_invalid(identity, signed, no_network):
    result = check_pdf_signature(tamper(signed), trust_roots=[identity.ca_certificate])
    assert result["status"] == "invalid"
    assert result["signer"] == SIGNER_NAME


def test_pdf_changed_inside_the_signed_bytes_is_invalid_even_when_untrusted(signed, no_network):
    assert check_pdf_signature(tamper(signed), trust_roots=[])["status"] == "invalid"


def test_page_replaced_by_an_update_appended_after_signing_is_invalid(identity, signed, no_network):
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 10 800 Td (16/QD) Tj ET"))
    writer.update_container(page)
    output = BytesIO()
    writer.write(output)
    result = check_pdf_signature(output.getvalue(), trust_roots=[identity.ca_certificate])
    assert result["status"] == "invalid"


def test_second_signature_keeps_the_first_valid_and_reports_the_latest_signer(identity, signed, no_network):
    second = make_signing_identity(signer_name="Nguyen Van A", ca_name="Second Root CA")
    twice = sign_pdf(signed, second, field_name="Signature2")
    both_trusted = check_pdf_signature(twice, [identity.ca_certificate, second.ca_certificate])
    assert both_trusted["status"] == "valid" and both_trusted["signer"] == "Nguyen Van A"
    # The worst signature decides, and names its signer.
    first_trusted = check_pdf_signature(twice, [identity.ca_certificate])
    assert first_trusted["status"] == "unknown" and first_trusted["signer"] == "Nguyen Van A"
    second_trusted = check_pdf_signature(twice, [second.ca_certificate])
    assert second_trusted["status"] == "unknown" and second_trusted["signer"] == SIGNER_NAME


@pytest.mark.parametrize("content", [b"", b"not a pdf at all", b"%PDF-1.7\n1 0 obj\n<<", bytes(range(256)) * 8])
def test_unreadable_content_is_unknown_without_an_exception(content, no_network):
    assert check_pdf_signature(content, trust_roots=[]) == {"status": "unknown"}


def test_signed_pdf_truncated_is_not_reported_valid(identity, signed, no_network):
    result = check_pdf_signature(signed[: len(signed) - 200], trust_roots=[identity.ca_certificate])
    assert result["status"] in ("unknown", "invalid")


@pytest.mark.parametrize("media_type, name, expected", [
    ("application/pdf", "x.bin", True), ("application/octet-stream", "HoSo.PDF", True),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx", False),
    (None, "", False),
])
def test_which_files_are_checked_as_pdf(media_type, name, expected):
    assert is_pdf(media_type, name) is expected


def test_trust_roots_are_read_from_a_pem_bundle(tmp_path, identity):
    other = make_signing_identity(ca_name="Other Root CA")
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(identity.ca_pem() + other.ca_pem())
    roots = load_trust_roots(str(bundle))
    assert [root.subject.native["common_name"] for root in roots] == ["Test Root CA", "Other Root CA"]


def test_no_trust_roots_configured_means_none():
    assert load_trust_roots("") == [] and load_trust_roots(None) == []


@pytest.mark.parametrize("content", [None, b"", b"-----BEGIN CERTIFICATE-----\nnonsense\n-----END CERTIFICATE-----\n"])
def test_a_missing_or_bad_trust_bundle_is_a_clear_error(tmp_path, content):
    path = tmp_path / "roots.pem"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TrustRootsError):
        load_trust_roots(str(path))
