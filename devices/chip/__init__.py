"""Reading the chip of the Vietnamese chip ID card (CCCD): an ICAO 9303 eMRTD over a contactless reader.

reader = open_chip_reader("pcsc://", csca_dir="/etc/motcua/csca")
result = reader.read_card(can="123456")
result.verdict        # Verdict.GENUINE / NOT_VERIFIABLE / ALTERED, with result.reasons
result.citizen        # the DG13 fields (ID number, name, birth date, …)
result.face_image     # the DG2 photo (JPEG or JPEG 2000 bytes)
"""

from devices.chip.opening import open_chip_reader
from devices.chip.ports import ChipError, ChipReader, ChipReadResult, Verdict

__all__ = ["ChipError", "ChipReadResult", "ChipReader", "Verdict", "open_chip_reader"]
