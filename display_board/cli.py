"""`motcua voice …` and `motcua display URL`: the display board's commands on the motcua command line."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from display_board.voice.announce import VoiceSettings


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    _register_voice(subparsers)
    _register_display(subparsers)


def _register_display(subparsers: argparse._SubParsersAction[Any]) -> None:
    display = subparsers.add_parser(
        "display", help="open the lobby board full-screen on this PC (Chromium kiosk mode, sound on)"
    )
    display.add_argument("url", help="the board's address, e.g. http://192.168.1.10:8000/board?key=KEY")
    display.add_argument("--browser", help="Chromium to run (default: $MOTCUA_CHROMIUM or chromium on PATH)")
    display.add_argument("--profile", type=Path, help="browser profile folder (default var/board-profile)")
    display.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    display.add_argument(
        "--keep-running", action="store_true", help="start the browser again when it exits (capped backoff)"
    )
    display.add_argument(
        "--browser-arg",
        action="append",
        default=[],
        metavar="FLAG",
        help="one more browser flag, repeatable, e.g. --browser-arg=--force-device-scale-factor=1.5",
    )
    display.add_argument("--print", dest="print_only", action="store_true", help="print the command only")
    display.set_defaults(handler=_display)


def _display(args: argparse.Namespace) -> int:
    from display_board.kiosk import DEFAULT_PROFILE, DisplayError, find_browser, kiosk_command, run_board

    profile = args.profile or DEFAULT_PROFILE
    try:
        command = kiosk_command(
            find_browser(args.browser),
            args.url,
            profile_dir=profile,
            windowed=args.windowed,
            extra_args=args.browser_arg,
        )
        if args.print_only:
            print(shlex.join(command))
            return 0
        profile.mkdir(parents=True, exist_ok=True)
        return run_board(command, keep_running=args.keep_running)
    except DisplayError as error:
        print(f"motcua display: {error}", file=sys.stderr)
        return 2


def _register_voice(subparsers: argparse._SubParsersAction[Any]) -> None:
    voice = subparsers.add_parser("voice", help="the board's Vietnamese voice clips (build, say, clips)")
    commands = voice.add_subparsers(dest="voice_command", metavar="ACTION", required=True)

    build = commands.add_parser("build", help="generate the voice clips offline with espeak-ng (idempotent)")
    _add_common_options(build)
    build.add_argument("--force", action="store_true", help="rebuild every clip, even those up to date")
    build.set_defaults(handler=_voice_build)

    say = commands.add_parser("say", help="print an announcement and optionally write it as one WAV")
    say.add_argument("ticket", help="ticket number, e.g. A023")
    say.add_argument("counter", help="counter number, e.g. 3")
    say.add_argument("--wav", type=Path, help="write the whole announcement (all repetitions) to this WAV")
    say.add_argument("--recall", action="store_true", help="announce as a recall (recall_repeat passes)")
    _add_common_options(say)
    say.set_defaults(handler=_voice_say)

    listing = commands.add_parser("clips", help="list the clip file names and what each says (for studios)")
    _add_common_options(listing)
    listing.set_defaults(handler=_voice_clips)


def _add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None, help="generated clips folder (var/voice/generated)")
    parser.add_argument("--config", type=Path, help="a board TOML file; its [voice] table sets the voice")


def _voice_build(args: argparse.Namespace) -> int:
    from display_board.voice.clips import ClipError, build_clips

    settings = _settings_or_none(args)
    if settings is None:
        return 2
    out_dir = _out_dir(args)
    try:
        report = build_clips(out_dir, settings, force=args.force)
    except ClipError as error:
        print(f"motcua voice build: {error}", file=sys.stderr)
        return 1
    trim = "sox" if report.used_sox else "threshold (sox not found)"
    counts = f"{len(report.built)} built, {len(report.kept)} up to date, {len(report.removed)} removed"
    print(f"{out_dir}: {counts}; trim: {trim}")
    return 0


def _voice_say(args: argparse.Namespace) -> int:
    from display_board.voice.announce import AnnouncementError, build_announcement
    from display_board.voice.clips import ClipError, ClipLibrary, build_clips, concatenate_announcement

    settings = _settings_or_none(args)
    if settings is None:
        return 2
    try:
        announcement = build_announcement(args.ticket, args.counter, settings, recall=args.recall)
    except AnnouncementError as error:
        print(f"motcua voice say: {error}", file=sys.stderr)
        return 2
    print(announcement.text)
    print(" ".join(announcement.clips), f"(x{announcement.repeat}, pause {announcement.pause_ms} ms)")
    if args.wav is None:
        return 0
    library = ClipLibrary(_out_dir(args), settings.clip_dir_override)
    try:
        build_clips(library.generated_dir, settings)
        seconds = concatenate_announcement(announcement, library, args.wav)
    except ClipError as error:
        print(f"motcua voice say: {error}", file=sys.stderr)
        return 1
    print(f"{args.wav}: {seconds:.2f} s")
    return 0


def _voice_clips(args: argparse.Namespace) -> int:
    from display_board.voice.announce import clip_inventory
    from display_board.voice.clips import ClipError, ClipLibrary

    settings = _settings_or_none(args)
    if settings is None:
        return 2
    library = ClipLibrary(_out_dir(args), settings.clip_dir_override)
    for name, text in clip_inventory(settings).items():
        try:
            source = str(library.resolve(name))
        except ClipError:
            source = "missing: run motcua voice build"
        print(f"{name}.wav\t{text or '(two-tone chime)'}\t{source}")
    return 0


def _out_dir(args: argparse.Namespace) -> Path:
    from display_board.voice.clips import DEFAULT_GENERATED_DIR

    return args.out if args.out is not None else DEFAULT_GENERATED_DIR


def _settings_or_none(args: argparse.Namespace) -> VoiceSettings | None:
    """The voice settings from --config (its [voice] table), or the defaults; None after printing an error."""
    import tomllib

    from pydantic import ValidationError

    from display_board.voice.announce import VoiceSettings

    if args.config is None:
        return VoiceSettings()
    try:
        table = tomllib.loads(args.config.read_text(encoding="utf-8")).get("voice", {})
        return VoiceSettings.model_validate(table)
    except (OSError, tomllib.TOMLDecodeError) as error:
        print(f"motcua voice: không đọc được {args.config} / cannot read config: {error}", file=sys.stderr)
    except ValidationError as error:
        print(
            f"motcua voice: cấu hình [voice] sai / invalid [voice] settings in {args.config}:\n{error}",
            file=sys.stderr,
        )
    return None
