"""The card side of the chip tests: pcscd with a virtual reader (vsmartcard's vpcd driver) and a program
that plays an ICAO 9303 ID card on it over vpcd's socket protocol.

vpcd protocol: each message is a 2-byte big-endian length and a payload. A 1-byte payload from the reader
is a control code (0 power off, 1 power on, 2 reset, 4 send the ATR); anything longer is a command APDU,
answered with the response APDU. Closing the socket takes the card off the reader.

    python -m tests.chip_card --port 35963 --kind genuine --csca-out /tmp/csca
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PCSCD = "/usr/sbin/pcscd"
VPCD_DRIVER = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
PCSCD_PID_FILE = Path("/run/pcscd/pcscd.pid")
SYSTEM_VPCD_PORT = 0x8C7B  # 35963, as /etc/reader.conf.d/vpcd sets it
ROOT = Path(__file__).resolve().parent.parent
CARD_KINDS = (
    "genuine",
    "altered",
    "bac-only",
    "pace-3des",
    "no-aa",
    "no-face",
    "not-icao",
    "expired-ds",
    "revoked-ds",
)


def _receive(connection: socket.socket) -> bytes | None:
    header = _exactly(connection, 2)
    if header is None:
        return None
    return _exactly(connection, int.from_bytes(header, "big"))


def _exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        # vpcd writes the length and the APDU separately: acknowledge at once, or Nagle's algorithm on
        # its side waits for our delayed ACK (40 ms) before sending the APDU.
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _send(connection: socket.socket, payload: bytes) -> None:
    connection.sendall(len(payload).to_bytes(2, "big") + payload)


def build_contents(kind: str, csca_out: Path | None):  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from devices.chip.specimen import PACE_3DES, SECP256, CardSpec, build_card, make_issuer, revocation_list

    # expired-ds: a DS certificate that ended in 2023 (in the past whatever the clock says)
    old = (datetime(2013, 1, 1, tzinfo=UTC), datetime(2023, 1, 1, tzinfo=UTC))
    issuer = make_issuer(signer_validity=old if kind == "expired-ds" else None)
    if csca_out is not None:
        csca_out.mkdir(parents=True, exist_ok=True)
        (csca_out / "csca.pem").write_bytes(issuer.csca_pem())
        if kind == "revoked-ds":  # the office installed the CSCA's CRL that lists this card's DS
            (csca_out / "vn.crl").write_bytes(revocation_list(issuer, [issuer.signer], pem=True))
    spec = {
        "bac-only": CardSpec(pace=None),
        "pace-3des": CardSpec(pace=PACE_3DES, pace_parameter=SECP256),
        "no-aa": CardSpec(active_authentication=False),  # chip authentication only: no DG15
    }.get(kind, CardSpec())
    return build_card(spec, issuer, alter_dg13=kind == "altered")


def serve_card(
    port: int, kind: str, csca_out: Path | None, remove_after: int | None, ready: Path | None
) -> int:
    from devices.chip.emulated import ATR, EmulatedCard

    card = EmulatedCard(build_contents(kind, csca_out))
    if kind == "not-icao":
        card.contents.files.clear()
        card.contents.card_access = None
    deadline = time.monotonic() + 20
    while True:
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=30)
            break
        except OSError:
            if time.monotonic() > deadline:
                print(f"chip_card: vpcd is not listening on port {port}", file=sys.stderr)
                return 1
            time.sleep(0.05)
    if ready is not None:
        ready.write_text("inserted")
    with connection:
        connection.settimeout(None)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # one small message per APDU
        while True:
            message = _receive(connection)
            if message is None:
                return 0
            if len(message) == 1:
                if message[0] in (0, 1, 2):  # off, on, reset: a new session
                    card.power_on()
                elif message[0] == 4:  # the reader asks for the ATR (also to see the card is there)
                    _send(connection, ATR)
                continue
            if remove_after is not None and card.commands >= remove_after:
                return 0  # the card leaves the reader in the middle of the read
            _send(connection, card.process(message))


# --- pcscd with a virtual reader, for the tests and the benchmark ---------------------------------


@dataclass
class VirtualReader:
    port: int
    reader_name: str
    own_daemon: bool


def _free_port_pair() -> int:
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
        with socket.socket() as second:
            try:
                second.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two free ports in a row for vpcd")


def _pcscd_running() -> bool:
    try:
        os.kill(int(PCSCD_PID_FILE.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True


def _list_readers() -> list[str]:
    from smartcard import scard

    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        return []
    try:
        result, readers = scard.SCardListReaders(context, [])
        return list(readers or []) if result == scard.SCARD_S_SUCCESS else []
    finally:
        scard.SCardReleaseContext(context)


@contextlib.contextmanager
def virtual_reader() -> Iterator[VirtualReader]:
    """pcscd (our own, in the foreground, with a vpcd reader on a free port) for the time of the block.

    pcscd's socket is always /run/pcscd/pcscd.comm, so only one can run: a lock file serialises test
    runs, and a pcscd already running (a system one) is used with the packaged vpcd port instead.
    """
    missing = [path for path in (PCSCD, VPCD_DRIVER) if not Path(path).exists()]
    if missing:
        raise RuntimeError(f"install pcscd and vsmartcard-vpcd (scripts/system-deps.sh): missing {missing}")
    lock = open("/tmp/motcua-pcscd.lock", "w")  # noqa: SIM115 (held for the whole block)
    import fcntl

    fcntl.flock(lock, fcntl.LOCK_EX)
    process: subprocess.Popen[bytes] | None = None
    try:
        if _pcscd_running():
            port, own = SYSTEM_VPCD_PORT, False
        else:
            port, own = _free_port_pair(), True
            workdir = Path(tempfile.mkdtemp(prefix="motcua-vpcd-"))
            config = workdir / "reader.conf.d"  # pcscd reads every file here: only the reader's
            config.mkdir()
            (config / "vpcd").write_text(
                f'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x{port:X}\n'
                f"LIBPATH {VPCD_DRIVER}\nCHANNELID 0x{port:X}\n"
            )
            log = open(workdir / "pcscd.log", "wb")  # noqa: SIM115
            process = subprocess.Popen([PCSCD, "-f", "-c", str(config)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while not [name for name in _list_readers() if "Virtual PCD" in name]:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"pcscd exited with {process.returncode}; see {workdir / 'pcscd.log'}")
            if time.monotonic() > deadline:
                hint = (
                    "" if own else " (a system pcscd is running: restart it after installing vsmartcard-vpcd)"
                )
                raise RuntimeError(f"pcscd did not list the virtual reader within 15 s{hint}")
            time.sleep(0.05)
        names = sorted(name for name in _list_readers() if "Virtual PCD" in name)
        yield VirtualReader(port, names[0], own)
    finally:
        if process is not None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@contextlib.contextmanager
def card_on_reader(
    reader: VirtualReader,
    kind: str = "genuine",
    csca_out: Path | None = None,
    remove_after: int | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """The card program, connected to the virtual reader, until the block ends (then taken off)."""
    ready = Path(tempfile.mkdtemp(prefix="motcua-card-")) / "ready"
    command = [
        sys.executable,
        "-m",
        "tests.chip_card",
        "--port",
        str(reader.port),
        "--kind",
        kind,
        "--ready",
        str(ready),
    ]
    if csca_out is not None:
        command += ["--csca-out", str(csca_out)]
    if remove_after is not None:
        command += ["--remove-after", str(remove_after)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # After a card was pulled out mid-read, vpcd sometimes takes long to accept the next card's
    # connection: take the card off and put it on again, as a person would.
    for attempt in range(1, 4):
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            _wait_until_present(reader, ready, process, 10.0 * attempt)
            break
        except RuntimeError:
            _stop(process)
            ready.unlink(missing_ok=True)
            if attempt == 3:
                raise
    try:
        yield process
    finally:
        _stop(process)
        _wait_until_absent(reader)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _card_state(reader: VirtualReader) -> bool:
    from smartcard import scard

    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    try:
        result, states = scard.SCardGetStatusChange(
            context, 0, [(reader.reader_name, scard.SCARD_STATE_UNAWARE)]
        )
        return result == scard.SCARD_S_SUCCESS and bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(context)


def _wait_until_present(
    reader: VirtualReader, ready: Path, process: subprocess.Popen[bytes], seconds: float
) -> None:
    deadline = time.monotonic() + seconds
    while not (ready.exists() and _card_state(reader)):
        if process.poll() is not None:
            raise RuntimeError(f"the card program exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the virtual card did not appear on the reader within {seconds:.0f} s")
        time.sleep(0.05)


def _wait_until_absent(reader: VirtualReader) -> None:
    deadline = time.monotonic() + 15
    while _card_state(reader) and time.monotonic() < deadline:
        time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description="an emulated ICAO 9303 ID card on a vpcd virtual reader")
    parser.add_argument("--port", type=int, default=SYSTEM_VPCD_PORT)
    parser.add_argument("--kind", choices=CARD_KINDS, default="genuine")
    parser.add_argument("--csca-out", type=Path)
    parser.add_argument("--remove-after", type=int, help="leave the reader after this many APDUs")
    parser.add_argument("--ready", type=Path, help="file written once connected to the reader")
    args = parser.parse_args()
    return serve_card(args.port, args.kind, args.csca_out, args.remove_after, args.ready)


if __name__ == "__main__":
    raise SystemExit(main())
