"""Chip ID card read time on the virtual PC/SC reader: BAC and PACE, with and without the face (DG2).

pcscd runs with the vpcd driver and the tests' card program (tests/chip_card.py) plays the card, so the
figures are of the whole stack — pyscard, pcscd, the driver's socket, secure messaging, the checks — but
not of a radio link: a real contactless reader adds about 1–3 ms per APDU at 424 kbit/s, more for DG2.

    .venv/bin/python benchmarks/bench_chip_read.py [--runs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devices.chip.pcsc import PcscChipReader  # noqa: E402
from devices.chip.ports import Verdict  # noqa: E402
from devices.chip.specimen import Person  # noqa: E402
from tests.chip_card import card_on_reader, virtual_reader  # noqa: E402

CASES = (
    ("PACE (CAN), AES-128, brainpoolP256r1", "genuine", {"can": "123456"}),
    ("PACE (CAN), 3DES, secp256r1", "pace-3des", {"can": "123456"}),
    ("BAC (MRZ)", "bac-only", {"mrz": Person().mrz_key}),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    csca = Path(tempfile.mkdtemp(prefix="motcua-csca-"))
    print(f"{'access':40} {'face':>5} {'median s':>9} {'max s':>7} {'APDU-heavy part':>16}")
    with virtual_reader() as reader:
        device = PcscChipReader("pcsc://", "Virtual PCD", str(csca))
        for label, kind, key in CASES:
            with card_on_reader(reader, kind, csca_out=csca):
                for face in (True, False):
                    times, parts = [], []
                    for _ in range(args.runs):
                        result = device.read_card(read_face=face, **key)  # type: ignore[arg-type]
                        assert result.verdict is Verdict.GENUINE, result.reasons
                        times.append(result.read_seconds)
                        parts.append(result.timings.get("DG2", result.timings["access"]))
                    part = "DG2" if face else "access"
                    print(f"{label:40} {'yes' if face else 'no':>5} {statistics.median(times):9.3f} "
                          f"{max(times):7.3f} {part:>7} {statistics.median(parts):7.3f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
