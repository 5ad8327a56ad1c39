"""Opening a chip reader by URL: the scheme picks the adapter module, imported only then. The port
(ports.py) knows none of its adapters."""

from __future__ import annotations

from devices.chip.ports import ChipReader


def open_chip_reader(url: str, csca_dir: str | None = None) -> ChipReader:
    """The chip reader a URL names; ValueError for a URL that cannot work."""
    scheme, separator, _ = url.partition("://")
    if not separator:
        raise ValueError(f"chip reader URL {url!r} has no scheme; e.g. pcsc:// or fake://")
    if scheme.lower() == "pcsc":
        from devices.chip.pcsc import PcscChipReader

        return PcscChipReader.from_url(url, csca_dir)
    if scheme.lower() == "fake":
        from devices.chip.fake import FakeChipReader

        return FakeChipReader.from_url(url, csca_dir)
    raise ValueError(f"unknown chip reader URL scheme {scheme!r} in {url!r}; use pcsc:// or fake://")
