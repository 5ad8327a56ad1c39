"""Passive authentication (ICAO 9303-11 §5.1): the data groups hash to the values in EF.SOD, the SOD is
signed by its Document Signer (DS) certificate, and that certificate by a country signing certificate
(CSCA) the office installed. The answer is a `Check`: genuine, not verifiable, or altered, with why.

Dates (ICAO 9303-12: a DS certificate's validity is its key's usage period plus the validity of the
documents it signs, so it covers every card it signed for the card's whole life): at the time of reading
the DS certificate must have begun (else altered: no genuine card is signed before its signer exists) and
not ended (else not verifiable: the state no longer vouches for the card), and the CSCA must have been
valid when it issued the DS certificate (else altered). A DS certificate listed in a CRL the office put in
the CSCA folder (`*.crl`, DER or PEM, signed by that CSCA) is refused as altered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from asn1crypto import cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from devices.chip import tlv
from devices.chip.lds import DG_TAGS
from devices.chip.ports import Check, ChipError, ChipErrorCode, Verdict

LDS_SECURITY_OBJECT = "2.23.136.1.1.1"
CERT_SUFFIXES = (".pem", ".crt", ".cer", ".der")
CRL_SUFFIX = ".crl"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class DataGroupHash(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012 (asn1crypto reads the class attribute)
        ("data_group_number", core.Integer),
        ("data_group_hash_value", core.OctetString),
    ]


class DataGroupHashes(core.SequenceOf):  # type: ignore[misc]
    _child_spec = DataGroupHash


class LdsSecurityObject(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012
        ("version", core.Integer),
        ("hash_algorithm", cms.DigestAlgorithm),
        ("data_group_hash_values", DataGroupHashes),
        ("lds_version_info", core.Any, {"optional": True}),
    ]


@dataclass(frozen=True)
class SecurityObject:
    hash_name: str
    hashes: dict[int, bytes]  # data group number → hash
    signed_data: cms.SignedData
    content: bytes  # the encapsulated LDSSecurityObject, as signed


def parse_sod(data: bytes) -> SecurityObject:
    try:
        outer = tlv.parse_one(data)
        if outer.tag != 0x77:
            raise ValueError(f"EF.SOD starts with tag {outer.tag:X}, not 77")
        info = cms.ContentInfo.load(outer.value)
        signed = info["content"]
        encapsulated = signed["encap_content_info"]
        if encapsulated["content_type"].dotted != LDS_SECURITY_OBJECT:
            raise ValueError("the SOD does not hold an LDS security object")
        content = encapsulated["content"].native
        security = LdsSecurityObject.load(content)
        hashes_by_group = {
            int(item["data_group_number"].native): bytes(item["data_group_hash_value"].native)
            for item in security["data_group_hash_values"]
        }
        return SecurityObject(
            security["hash_algorithm"]["algorithm"].native, hashes_by_group, signed, content
        )
    except (ValueError, TypeError, KeyError, tlv.TlvError) as error:
        raise ChipError(ChipErrorCode.UNKNOWN_DATA, f"EF.SOD: {error}") from None


def load_csca_certificates(folder: Path | str | None) -> list[x509.Certificate]:
    """Every certificate in the folder (PEM, also several per file, or DER); unreadable files are skipped."""
    certificates: list[x509.Certificate] = []
    for data in _files_in(folder, CERT_SUFFIXES):
        try:
            if b"-----BEGIN CERTIFICATE-----" in data:
                certificates.extend(x509.load_pem_x509_certificates(data))
            else:
                certificates.append(x509.load_der_x509_certificate(data))
        except ValueError:
            continue
    return certificates


def load_crls(folder: Path | str | None) -> list[x509.CertificateRevocationList]:
    """Every CRL (`*.crl`, PEM or DER) in the CSCA folder; unreadable files are skipped."""
    crls: list[x509.CertificateRevocationList] = []
    for data in _files_in(folder, (CRL_SUFFIX,)):
        try:
            if b"-----BEGIN X509 CRL-----" in data:
                crls.append(x509.load_pem_x509_crl(data))
            else:
                crls.append(x509.load_der_x509_crl(data))
        except ValueError:
            continue
    return crls


def _files_in(folder: Path | str | None, suffixes: Iterable[str]) -> Iterator[bytes]:
    """The bytes of each file of the CSCA folder with one of these suffixes, in name order."""
    if folder is None or not Path(folder).is_dir():
        return
    wanted = set(suffixes)
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() in wanted and path.is_file():
            yield path.read_bytes()


def verify(
    files: dict[str, bytes],
    csca: list[x509.Certificate],
    csca_dir: str | None,
    *,
    crls: list[x509.CertificateRevocationList] | None = None,
    now: datetime | None = None,
) -> Check:
    """Passive authentication of the files read (`files["SOD"]` and the data groups) at `now` (UTC)."""
    sod = parse_sod(files["SOD"])
    altered = _hash_problems(sod, files)
    signer, signature_problem = _check_sod_signature(sod)
    if signature_problem:
        altered.append(signature_problem)
    if altered:
        return Check(Verdict.ALTERED, tuple(altered))
    assert signer is not None
    found = [
        f"data group hashes match the SOD ({sod.hash_name})",
        f"SOD signed by DS '{signer.subject.rfc4514_string()}'",
    ]
    issuer = signer.issuer.rfc4514_string()
    if not csca:
        where = f"in {csca_dir}" if csca_dir else "(no csca_dir configured)"
        return Check(Verdict.NOT_VERIFIABLE, (*found, f"no CSCA certificate installed {where}"))
    candidates = [cert for cert in csca if cert.subject == signer.issuer]
    if not candidates:
        return Check(Verdict.NOT_VERIFIABLE, (*found, f"no installed CSCA is the DS issuer '{issuer}'"))
    signing = [cert for cert in candidates if _issued_by(signer, cert)]
    if not signing:
        return Check(
            Verdict.ALTERED, (*found, f"the DS certificate is not signed by the installed CSCA '{issuer}'")
        )
    found.append(f"DS certificate signed by CSCA '{issuer}'")
    date_problem = _date_problem(signer, signing, now or datetime.now(UTC))
    if date_problem is not None:
        return Check(date_problem[0], (*found, date_problem[1]))
    revoked = _revocation(signer, signing, crls or [])
    if revoked:
        return Check(Verdict.ALTERED, (*found, revoked))
    return Check(Verdict.GENUINE, tuple(found))


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _date_problem(
    signer: x509.Certificate, signing: list[x509.Certificate], now: datetime
) -> tuple[Verdict, str] | None:
    begins, ends = signer.not_valid_before_utc, signer.not_valid_after_utc
    if now < begins:
        return Verdict.ALTERED, (
            f"the DS certificate is not valid before {begins:%Y-%m-%d} (now {now:%Y-%m-%d}): "
            "no genuine card is signed before its signer exists (or this computer's clock is wrong)"
        )
    if now > ends:
        return Verdict.NOT_VERIFIABLE, (
            f"the DS certificate expired on {ends:%Y-%m-%d}: the state no longer vouches for cards it signed"
        )
    # Several installed CSCAs may share the name and key (a renewed certificate): one valid then suffices.
    if not any(c.not_valid_before_utc <= begins <= c.not_valid_after_utc for c in signing):
        return Verdict.ALTERED, (
            f"the CSCA was not valid when the DS certificate was issued ({begins:%Y-%m-%d})"
        )
    return None


def _revocation(
    signer: x509.Certificate, signing: list[x509.Certificate], crls: list[x509.CertificateRevocationList]
) -> str:
    for crl in crls:
        if crl.issuer != signer.issuer or not any(_crl_signed_by(crl, c) for c in signing):
            continue  # another CSCA's list, or one not signed by the CSCA: not evidence
        entry = crl.get_revoked_certificate_by_serial_number(signer.serial_number)
        if entry is not None:
            return f"the DS certificate was revoked on {entry.revocation_date_utc:%Y-%m-%d} (CSCA's CRL)"
    return ""


def _crl_signed_by(crl: x509.CertificateRevocationList, csca: x509.Certificate) -> bool:
    key = csca.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey | rsa.RSAPublicKey):
        return False  # CSCAs use RSA or ECDSA (ICAO 9303-12)
    return crl.is_signature_valid(key)


def _hash_problems(sod: SecurityObject, files: dict[str, bytes]) -> list[str]:
    problems = []
    for name, data in files.items():
        if not name.startswith("DG"):
            continue
        number = DG_TAGS.get(data[0]) if data else None
        expected = sod.hashes.get(number or -1)
        if expected is None:
            problems.append(f"{name} is not listed in the SOD")
        elif hashlib.new(sod.hash_name, data).digest() != expected:
            problems.append(f"{name} does not match its hash in the SOD")
    return problems


def _check_sod_signature(sod: SecurityObject) -> tuple[x509.Certificate | None, str]:
    signed = sod.signed_data
    if not len(signed["signer_infos"]):
        return None, "the SOD has no signer"
    signer_info = signed["signer_infos"][0]
    certificate = _signer_certificate(signed, signer_info)
    if certificate is None:
        return None, "the SOD does not hold its Document Signer certificate"
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if digest_name not in _HASHES:
        return certificate, f"unsupported digest {digest_name}"
    attributes = signer_info["signed_attrs"]
    if attributes.native is not None and len(attributes):
        digest = next(
            (a["values"][0].native for a in attributes if a["type"].native == "message_digest"), None
        )
        if digest != hashlib.new(digest_name, sod.content).digest():
            return certificate, "the SOD content does not match its signed digest"
        signed_bytes = b"\x31" + attributes.dump()[1:]  # signed over as a SET, not the [0] tag
    else:
        signed_bytes = sod.content
    try:
        _verify_signature(certificate, signer_info, signed_bytes, _HASHES[digest_name]())
    except InvalidSignature:
        return certificate, "the SOD signature does not verify with its DS certificate"
    except (ValueError, TypeError) as error:
        return certificate, f"the SOD signature cannot be checked: {error}"
    return certificate, ""


def _signer_certificate(signed: cms.SignedData, signer_info: cms.SignerInfo) -> x509.Certificate | None:
    sid = signer_info["sid"]
    for choice in signed["certificates"] or []:
        if choice.name != "certificate":
            continue
        cert = choice.chosen
        if sid.name == "issuer_and_serial_number":
            matches = (
                cert.issuer == sid.chosen["issuer"]
                and cert.serial_number == sid.chosen["serial_number"].native
            )
        else:
            matches = cert.key_identifier == sid.chosen.native
        if matches:
            return x509.load_der_x509_certificate(cert.dump())
    return None


def _verify_signature(
    certificate: x509.Certificate, signer_info: cms.SignerInfo, data: bytes, digest: hashes.HashAlgorithm
) -> None:
    key = certificate.public_key()
    signature = bytes(signer_info["signature"].native)
    algorithm = signer_info["signature_algorithm"]
    if isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, data, ec.ECDSA(digest))
    elif isinstance(key, rsa.RSAPublicKey):
        if algorithm.signature_algo == "rsassa_pss":
            salt = algorithm["parameters"]["salt_length"].native
            key.verify(signature, data, padding.PSS(padding.MGF1(digest), salt), digest)
        else:
            key.verify(signature, data, padding.PKCS1v15(), digest)
    else:
        raise ValueError(f"unsupported DS key type {type(key).__name__}")
