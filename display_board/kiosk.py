"""Open the lobby board full-screen on a lobby PC: Chromium in kiosk mode, sound allowed without a click.

``motcua display URL`` finds the browser, checks the address and starts::

    chromium --user-data-dir=var/board-profile --no-first-run --noerrdialogs ... \
             --autoplay-policy=no-user-gesture-required --kiosk --app=URL

A profile folder of its own keeps the board's localStorage (display key, last event seq) across reboots
and away from anybody's personal browser profile.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")
BROWSER_ENV = "MOTCUA_CHROMIUM"
DEFAULT_PROFILE = Path("var/board-profile")
BOARD_FLAGS = (
    "--no-first-run",
    "--noerrdialogs",
    "--disable-infobars",
    "--disable-session-crashed-bubble",  # no "restore pages?" bubble after a power cut
    "--disable-features=Translate,TranslateUI",
    "--overscroll-history-navigation=0",
    "--check-for-update-interval=31536000",
    "--password-store=basic",  # no keyring prompt on a PC without a desktop session
    "--autoplay-policy=no-user-gesture-required",  # the voice plays without anybody clicking
)


class DisplayError(Exception):
    """The board cannot be opened; the message says what to fix."""


def check_board_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DisplayError(
            f"'{url}' không phải địa chỉ web / is not a web address: "
            "use e.g. http://192.168.1.10:8000/board?key=DISPLAY_KEY"
        )
    return url.strip()


def find_browser(explicit: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The Chromium to run: --browser, else $MOTCUA_CHROMIUM, else the first of BROWSER_NAMES on PATH."""
    env = os.environ if env is None else env
    wanted = explicit or env.get(BROWSER_ENV)
    if wanted:
        found = shutil.which(wanted)
        if found is None:
            raise DisplayError(
                f"không chạy được trình duyệt '{wanted}' / browser not found or not executable"
            )
        return found
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise DisplayError(
        f"không tìm thấy Chromium / Chromium not found (looked for {', '.join(BROWSER_NAMES)} on PATH): "
        f"install it (Debian: apt-get install chromium) or name it with --browser or {BROWSER_ENV}"
    )


def kiosk_command(
    browser: str,
    url: str,
    *,
    profile_dir: Path = DEFAULT_PROFILE,
    windowed: bool = False,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The browser's command line; ``windowed`` keeps a normal window (to try a board on a desktop)."""
    command = [browser, f"--user-data-dir={profile_dir.resolve()}", *BOARD_FLAGS]
    if not windowed:
        command.append("--kiosk")
    return [*command, *extra_args, f"--app={check_board_url(url)}"]


def run_board(command: Sequence[str], *, keep_running: bool = False) -> int:
    """Run the browser; with ``keep_running`` start it again whenever it exits (capped backoff)."""
    import subprocess
    import time

    from devices.backoff import Backoff

    backoff = Backoff(initial_s=1.0, cap_s=60.0)
    while True:
        started = time.monotonic()
        try:
            code = subprocess.run(list(command), check=False).returncode
        except OSError as error:
            raise DisplayError(f"không chạy được trình duyệt / cannot start the browser: {error}") from None
        except KeyboardInterrupt:
            return 130
        if not keep_running:
            return code
        if time.monotonic() - started > 60:
            backoff.reset()  # it ran fine for a while: this exit is not a crash loop
        time.sleep(backoff.next_delay())
