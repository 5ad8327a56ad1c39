"""Specimen ID cards for the fake reader, the tests and the benchmarks: an issuer of their own (a test
CSCA and Document Signer), DG1, DG2, DG13 with Vietnamese text, a signed EF.SOD, and the ways a card can
be wrong (a changed byte, a signer the office does not know).
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from devices.chip import lds, tlv
from devices.chip.chip_auth import PK_ECDH
from devices.chip.emulated import CardContents
from devices.chip.lds import mrz_check_digit
from devices.chip.passive_auth import LDS_SECURITY_OBJECT, LdsSecurityObject
from devices.chip.ports import MrzKey

PACE_AES_128 = "0.4.0.127.0.7.2.2.4.2.2"
PACE_3DES = "0.4.0.127.0.7.2.2.4.2.1"
CA_ECDH_AES_128 = "0.4.0.127.0.7.2.2.3.2.2"
CA_ECDH_3DES = "0.4.0.127.0.7.2.2.3.2.1"
BRAINPOOL_P256 = 13
SECP256 = 12


@dataclass(frozen=True)
class Issuer:
    csca_key: ec.EllipticCurvePrivateKey
    csca: x509.Certificate
    signer_key: ec.EllipticCurvePrivateKey
    signer: x509.Certificate

    def csca_pem(self) -> bytes:
        return self.csca.public_bytes(serialization.Encoding.PEM)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )


SPECIMEN_START = datetime(2024, 1, 1, tzinfo=UTC)


def make_issuer(
    csca_name: str = "CSCA Việt Nam (thử nghiệm)",
    signer_name: str = "DS Căn cước (thử nghiệm)",
    signer_validity: tuple[datetime, datetime] | None = None,
) -> Issuer:
    """A test CSCA (2024 + 15 years) and its DS (2024 + 10 years unless `signer_validity` is given)."""
    now = SPECIMEN_START
    signer_begins, signer_ends = signer_validity or (now, now + timedelta(days=365 * 10))
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca = (
        x509.CertificateBuilder()
        .subject_name(_name(csca_name))
        .issuer_name(_name(csca_name))
        .public_key(csca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=365 * 15))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(csca_key, hashes.SHA256())
    )
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name))
        .issuer_name(csca.subject)
        .public_key(signer_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(signer_begins)
        .not_valid_after(signer_ends)
        .sign(csca_key, hashes.SHA256())
    )
    return Issuer(csca_key, csca, signer_key, signer)


def revocation_list(issuer: Issuer, revoked: list[x509.Certificate], pem: bool = False) -> bytes:
    """The CSCA's CRL listing `revoked` (DER, or PEM), as an office would put it in the CSCA folder."""
    when = SPECIMEN_START + timedelta(days=30)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.csca.subject)
        .last_update(when)
        .next_update(when + timedelta(days=90))
    )
    for certificate in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(when)
            .build()
        )
    crl = builder.sign(issuer.csca_key, hashes.SHA256())
    return crl.public_bytes(serialization.Encoding.PEM if pem else serialization.Encoding.DER)


@functools.cache
def default_issuer() -> Issuer:
    return make_issuer()


@dataclass(frozen=True)
class Person:
    id_number: str = "079203012345"
    full_name: str = "Trần Thị Ngọc Ánh"
    mrz_name: str = "TRAN<<THI<NGOC<ANH"
    birth_date: str = "15/01/2003"
    sex: str = "Nữ"
    nationality: str = "Việt Nam"
    ethnicity: str = "Kinh"
    religion: str = "Không"
    home_town: str = "Xã Tân Hội, Huyện Đức Trọng, Lâm Đồng"
    residence: str = "123 Đường Nguyễn Trãi, Phường Bến Thành, Quận 1, TP. Hồ Chí Minh"
    identifying_marks: str = "Nốt ruồi C:1cm dưới sau mép trái"
    issue_date: str = "20/04/2021"
    expiry_date: str = "15/01/2028"
    father_name: str = "Trần Văn Hùng"
    mother_name: str = "Nguyễn Thị Lệ"
    # Fields 14-16 (their names are not settled): the old ID number at 15, as one public reader puts it.
    extra: tuple[tuple[int, str], ...] = ((15, "025123456"), (16, "VN-ĐẶC-BIỆT-01"))

    @property
    def mrz_key(self) -> MrzKey:
        return MrzKey(self.id_number[-9:], _yymmdd(self.birth_date), _yymmdd(self.expiry_date))


def _yymmdd(day_month_year: str) -> str:
    day, month, year = day_month_year.split("/")
    return year[2:] + month + day


@dataclass(frozen=True)
class CardSpec:
    person: Person = field(default_factory=Person)
    can: str = "123456"
    pace: str | None = PACE_AES_128  # None: a BAC-only card
    pace_parameter: int = BRAINPOOL_P256
    bac: bool = True
    active_authentication: bool = True
    chip_authentication: str | None = CA_ECDH_AES_128  # None: no DG14
    face_size: tuple[int, int] = (240, 320)


def dg1(person: Person) -> bytes:
    number = person.mrz_key.document_number
    line1 = f"IDVNM{number}{mrz_check_digit(number)}{person.id_number}".ljust(30, "<")
    birth, expiry = person.mrz_key.birth_date, person.mrz_key.expiry_date
    sex = "F" if person.sex == "Nữ" else "M"
    line2 = f"{birth}{mrz_check_digit(birth)}{sex}{expiry}{mrz_check_digit(expiry)}VNM".ljust(29, "<")
    composite = line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]
    line2 += mrz_check_digit(composite)
    line3 = person.mrz_name.ljust(30, "<")[:30]
    return tlv.encode(0x61, tlv.encode(0x5F1F, (line1 + line2 + line3).encode("ascii")))


@functools.cache
def face_jpeg(size: tuple[int, int] = (240, 320)) -> bytes:
    """A portrait-sized JPEG (a drawn face, about the size a CCCD chip holds)."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    image = Image.new("RGB", size, (222, 230, 240))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.25, height * 0.18, width * 0.75, height * 0.68), fill=(226, 187, 160))
    draw.rectangle((width * 0.15, height * 0.72, width * 0.85, height), fill=(30, 50, 110))
    for eye in (0.4, 0.6):
        draw.ellipse((width * eye - 8, height * 0.38, width * eye + 8, height * 0.42), fill=(40, 30, 30))
    noise = Image.effect_noise(size, 24).convert("RGB")
    image = Image.blend(image, noise, 0.12).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


def dg2(jpeg: bytes, size: tuple[int, int]) -> bytes:
    width, height = size
    facial_header = (20 + 12 + len(jpeg)).to_bytes(4, "big") + b"\x00\x00" + b"\x02\x01\x01" + b"\x00" * 11
    image_info = (
        b"\x01\x00" + width.to_bytes(2, "big") + height.to_bytes(2, "big") + b"\x01\x02\x00\x00\x00\x00"
    )
    face = facial_header + image_info + jpeg
    record = b"FAC\x00010\x00" + (14 + len(face)).to_bytes(4, "big") + b"\x00\x01" + face
    header = tlv.encode(
        0xA1, tlv.encode(0x80, b"\x01\x01") + tlv.encode(0x81, b"\x02") + tlv.encode(0x87, b"\x01\x01")
    )
    instance = tlv.encode(0x7F60, header + tlv.encode(0x5F2E, record))
    return tlv.encode(0x75, tlv.encode(0x7F61, tlv.encode(0x02, b"\x01") + instance))


def dg13(person: Person) -> bytes:
    def field_record(number: int, *values: str) -> bytes:
        body = tlv.encode(0x02, bytes([number])) + b"".join(
            tlv.encode(0x0C, v.encode("utf-8")) for v in values
        )
        return tlv.encode(0x30, body)

    named = {number: getattr(person, name) for number, name in lds.DG13_FIELDS.items()}
    records = [field_record(number, value) for number, value in sorted(named.items()) if number < 13]
    records.append(tlv.encode(0x30, tlv.encode(0x02, b"\x0d") + tlv.encode(0x30, tlv.encode(0x0C, person.father_name.encode()))
                              + tlv.encode(0x30, tlv.encode(0x0C, person.mother_name.encode()))))  # fmt: skip
    records += [field_record(number, value) for number, value in person.extra]
    return tlv.encode(0x6D, tlv.encode(0x30, tlv.encode(0x02, b"\x01") + b"".join(records)))


def dg15(key: ec.EllipticCurvePrivateKey) -> bytes:
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return tlv.encode(0x6F, spki)


def dg14(key: ec.EllipticCurvePrivateKey, protocol: str, spki: bytes | None = None) -> bytes:
    """DG14: the chip-authentication protocol and the chip's static public key (key id 1); `spki` to
    write the key another way (explicit curve parameters, as many chips do)."""
    spki = spki or key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_id = tlv.encode(0x02, b"\x01")
    info = tlv.encode(0x30, tlv.encode(0x06, lds.encode_oid(protocol)) + tlv.encode(0x02, b"\x01") + key_id)
    public = tlv.encode(0x30, tlv.encode(0x06, lds.encode_oid(PK_ECDH)) + spki + key_id)
    return tlv.encode(0x6E, tlv.encode(0x31, info + public))


def ef_com(tags: list[int]) -> bytes:
    return tlv.encode(
        0x60, tlv.encode(0x5F01, b"0107") + tlv.encode(0x5F36, b"040000") + tlv.encode(0x5C, bytes(tags))
    )


def card_access(protocol: str, parameter: int) -> bytes:
    info = (
        tlv.encode(0x06, lds.encode_oid(protocol))
        + tlv.encode(0x02, b"\x02")
        + tlv.encode(0x02, bytes([parameter]))
    )
    return tlv.encode(0x31, tlv.encode(0x30, info))


def sod(groups: dict[int, bytes], issuer: Issuer) -> bytes:
    """EF.SOD: the groups' SHA-256 hashes in an LDS security object, CMS-signed by the Document Signer."""
    security = LdsSecurityObject(
        {
            "version": 0,
            "hash_algorithm": {"algorithm": "sha256"},
            "data_group_hash_values": [
                {"data_group_number": number, "data_group_hash_value": hashlib.sha256(data).digest()}
                for number, data in sorted(groups.items())
            ],
        }
    )
    content = security.dump()
    attributes = cms.CMSAttributes(
        [
            {"type": "content_type", "values": [LDS_SECURITY_OBJECT]},
            {"type": "message_digest", "values": [hashlib.sha256(content).digest()]},
        ]
    )
    signature = issuer.signer_key.sign(attributes.dump(), ec.ECDSA(hashes.SHA256()))
    signer_cert = asn1_x509.Certificate.load(issuer.signer.public_bytes(serialization.Encoding.DER))
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": signer_cert.issuer,
                        "serial_number": signer_cert.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": attributes,
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": signature,
        }
    )
    signed = cms.SignedData(
        {
            "version": "v3",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {
                "content_type": LDS_SECURITY_OBJECT,
                "content": cms.ParsableOctetString(content),
            },
            "certificates": [signer_cert],
            "signer_infos": [signer_info],
        }
    )
    return tlv.encode(0x77, cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


def build_card(
    spec: CardSpec | None = None, issuer: Issuer | None = None, alter_dg13: bool = False
) -> CardContents:
    """The contents of a specimen card; `alter_dg13` changes one byte of DG13 after signing."""
    spec = spec or CardSpec()
    issuer = issuer or default_issuer()
    person = spec.person
    aa_key = ec.generate_private_key(ec.SECP256R1()) if spec.active_authentication else None
    groups: dict[int, bytes] = {
        1: dg1(person),
        2: dg2(face_jpeg(spec.face_size), spec.face_size),
        13: dg13(person),
    }
    if aa_key is not None:
        groups[15] = dg15(aa_key)
    ca_key = ec.generate_private_key(ec.BrainpoolP256R1()) if spec.chip_authentication else None
    if ca_key is not None and spec.chip_authentication:
        groups[14] = dg14(ca_key, spec.chip_authentication)
    signed = sod(groups, issuer)
    if alter_dg13:
        data = bytearray(groups[13])
        where = data.find("Ánh".encode())
        data[where + 2] ^= 0x01  # 'n' → 'o': "Áoh" — the name changed, the hash no longer matches
        groups[13] = bytes(data)
    tags = {1: 0x61, 2: 0x75, 13: 0x6D, 14: 0x6E, 15: 0x6F}
    files = {
        lds.FILES["COM"][0]: ef_com([tags[number] for number in sorted(groups)]),
        lds.FILES["SOD"][0]: signed,
    }
    files.update({lds.FILES[f"DG{number}"][0]: data for number, data in groups.items()})
    return CardContents(
        files=files,
        can=spec.can,
        mrz_key=person.mrz_key,
        card_access=card_access(spec.pace, spec.pace_parameter) if spec.pace else None,
        bac=spec.bac,
        aa_key=aa_key,
        ca_key=ca_key,
        ca_protocol=spec.chip_authentication or "",
    )
