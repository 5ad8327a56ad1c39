"""Touch widgets of the kiosk: big buttons, keypad, Vietnamese keyboard, choice lists, QR, camera preview.

View code only: widgets show what presenters hold and report touches as events; no journey logic here.
Every touch target is at least MIN_TARGET (1.5 cm) in both directions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from kivy.app import App
from kivy.clock import Clock
from kivy.event import EventDispatcher
from kivy.graphics import Color, InstructionGroup, Line
from kivy.graphics.texture import Texture
from kivy.metrics import cm, dp
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.gridlayout import GridLayout
from kivy.uix.image import Image
from kivy.uix.scrollview import ScrollView

from kiosk.text import say

MIN_TARGET = cm(1.5)


class Theme(EventDispatcher):  # type: ignore[misc]
    """Colours and type sizes; high contrast: white on black with yellow actions."""

    bg = ColorProperty([0.96, 0.97, 0.98, 1])
    fg = ColorProperty([0.10, 0.12, 0.16, 1])
    muted = ColorProperty([0.30, 0.34, 0.40, 1])
    button = ColorProperty([0.05, 0.33, 0.62, 1])
    button_fg = ColorProperty([1, 1, 1, 1])
    soft = ColorProperty([0.86, 0.90, 0.95, 1])
    soft_fg = ColorProperty([0.05, 0.20, 0.40, 1])
    selected = ColorProperty([0.00, 0.55, 0.35, 1])
    error = ColorProperty([0.75, 0.10, 0.10, 1])
    ok = ColorProperty([0.00, 0.45, 0.25, 1])
    help = ColorProperty([0.72, 0.30, 0.00, 1])  # "Gọi cán bộ hỗ trợ": unlike every other button
    font = NumericProperty(dp(26))
    title = NumericProperty(dp(40))
    huge = NumericProperty(dp(120))
    scale = NumericProperty(1.0)  # sizes of buttons and rows follow the type

    def apply(self, high_contrast: bool, large: bool, short_side: float = 800) -> None:
        """Colours for the contrast; type sized to the screen (its short side, 800 px = 1×) and text size."""
        if high_contrast:
            self.bg, self.fg, self.muted = [0, 0, 0, 1], [1, 1, 1, 1], [0.9, 0.9, 0.9, 1]
            self.button, self.button_fg = [1, 0.85, 0, 1], [0, 0, 0, 1]
            self.soft, self.soft_fg = [0.15, 0.15, 0.15, 1], [1, 1, 1, 1]
            self.selected, self.error, self.ok = [0, 0.9, 1, 1], [1, 0.45, 0.45, 1], [0.4, 1, 0.5, 1]
            self.help = [1, 0.55, 0.1, 1]
        else:
            self.bg, self.fg, self.muted = [0.96, 0.97, 0.98, 1], [0.10, 0.12, 0.16, 1], [0.30, 0.34, 0.40, 1]
            self.button, self.button_fg = [0.05, 0.33, 0.62, 1], [1, 1, 1, 1]
            self.soft, self.soft_fg = [0.86, 0.90, 0.95, 1], [0.05, 0.20, 0.40, 1]
            self.selected, self.error, self.ok = (
                [0.00, 0.55, 0.35, 1],
                [0.75, 0.10, 0.10, 1],
                [0.0, 0.45, 0.25, 1],
            )
            self.help = [0.72, 0.30, 0.00, 1]
        scale = min(max(short_side / 800, 1.0), 1.6) * (1.3 if large else 1.0)
        self.scale = scale
        self.font, self.title, self.huge = dp(26) * scale, dp(40) * scale, dp(120) * scale


class BigButton(Button):  # type: ignore[misc]
    """A button at least 1.5 cm each way, its text wrapped inside it."""

    kind = StringProperty("primary")  # primary, soft, selected


class Cover(BoxLayout):  # type: ignore[misc]
    """Something over the whole screen (the help confirmation): while shown, a touch never reaches the
    buttons under it."""

    def on_touch_down(self, touch: Any) -> bool:
        if super().on_touch_down(touch):
            return True
        return bool(self.opacity > 0 and not self.disabled and self.collide_point(*touch.pos))


class SpeakerButton(BigButton):
    """🔊 drawn (no font here has the emoji): a loudspeaker, with sound waves when the guide is on."""

    on = BooleanProperty(False)


class KeyButton(BigButton):
    key = StringProperty("")
    word = StringProperty("")  # a catalogue key for the label, when the label is a word


class Keypad(GridLayout):  # type: ignore[misc]
    """Digits 0-9, backspace and OK; `on_key`, `on_backspace`, `on_ok` events."""

    ok_text = StringProperty("OK")
    __events__ = ("on_key", "on_backspace", "on_ok")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cols=3, spacing=dp(8), **kwargs)
        for label in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"):
            button = KeyButton(text=KEY_LABELS.get(label, label), key=label, kind="soft")
            button.bind(on_release=self._pressed)
            self.add_widget(button)
        self.bind(ok_text=self._relabel)

    def _relabel(self, *_: Any) -> None:
        for child in self.children:
            if child.key == "OK":
                child.text = self.ok_text

    def _pressed(self, button: KeyButton) -> None:
        if button.key == "⌫":
            self.dispatch("on_backspace")
        elif button.key == "OK":
            self.dispatch("on_ok")
        else:
            self.dispatch("on_key", button.key)

    def on_key(self, key: str) -> None:
        pass

    def on_backspace(self) -> None:
        pass

    def on_ok(self) -> None:
        pass


KEY_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "⇧zxcvbnm⌫", "@._-/,␣")
# Labels of keys that are not letters: words from the catalogue (the bundled font has no ⌫ or ⇧).
KEY_WORDS = {"⇧": "keyboard.shift", "␣": "keyboard.space", "⌫": "keyboard.backspace"}
KEY_LABELS = {"⌫": "Xóa", "⇧": "Chữ hoa", " ": "Dấu cách"}
# The marks bar: (label, mark kind for TelexComposer.mark).
MARKS = (("á", "acute"), ("à", "grave"), ("ả", "hook"), ("ã", "tilde"), ("ạ", "dot"),
         ("â ê ô", "hat"), ("ă ơ ư", "horn"), ("đ", "stroke"))  # fmt: skip
KEY_WIDTHS = {"⇧": 1.6, "⌫": 1.6, "␣": 3.0}


class Keyboard(BoxLayout):  # type: ignore[misc]
    """A keyboard for Vietnamese: Telex typing (aa→â, dd→đ, s/f/r/x/j tones) or, for people who do not
    know Telex, a marks bar (tap a letter, then its mark); "@", ".", "_" for e-mail addresses."""

    shift = BooleanProperty(False)
    lang = StringProperty("vi")
    marks = BooleanProperty(True)  # the marks bar (off for codes and numbers)
    ok_text = StringProperty("OK")  # what the OK key does ("Tra cứu")
    __events__ = ("on_key", "on_backspace", "on_done", "on_mark")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(orientation="vertical", spacing=dp(6), **kwargs)
        self._letters: list[KeyButton] = []
        self._words: list[KeyButton] = []
        self.marks_bar = BoxLayout(spacing=dp(6))
        for label, kind in MARKS:
            button = KeyButton(text=label, key=kind, kind="soft")
            button.bind(on_release=lambda b: self.dispatch("on_mark", b.key))
            self.marks_bar.add_widget(button)
        self.add_widget(self.marks_bar)
        for row in KEY_ROWS:
            line = BoxLayout(spacing=dp(6))
            for key in row:
                button = KeyButton(text=key, key=" " if key == "␣" else key, kind="soft")
                button.size_hint_x = KEY_WIDTHS.get(key, 1.0)
                button.bind(on_release=self._pressed)
                line.add_widget(button)
                if key.isalpha():
                    self._letters.append(button)
                if key in KEY_WORDS:
                    button.word = KEY_WORDS[key]
                    self._words.append(button)
            if row.startswith("@"):
                done = KeyButton(text=self.ok_text, key="OK", kind="primary", size_hint_x=1.6)
                done.bind(on_release=self._pressed)
                self.bind(ok_text=done.setter("text"))
                line.add_widget(done)
            self.add_widget(line)
        self.bind(shift=self._relabel, lang=self._relabel, marks=self._show_marks)
        self._relabel()

    def _show_marks(self, *_: Any) -> None:
        bar = self.marks_bar
        if self.marks and bar.parent is None:
            self.add_widget(bar, index=len(self.children))
        elif not self.marks and bar.parent is not None:
            self.remove_widget(bar)

    def _relabel(self, *_: Any) -> None:
        from kiosk.text import T

        for button in self._letters:
            button.text = button.key.upper() if self.shift else button.key
        for button in self._words:
            button.text = T[button.word](self.lang)
            if button.key == "⇧":
                button.kind = "selected" if self.shift else "soft"

    def _pressed(self, button: KeyButton) -> None:
        key = button.key
        if key == "⇧":
            self.shift = not self.shift
        elif key == "⌫":
            self.dispatch("on_backspace")
        elif key == "OK":
            self.dispatch("on_done")
        else:
            self.dispatch("on_key", key.upper() if self.shift else key)
            self.shift = False

    def on_key(self, key: str) -> None:
        pass

    def on_backspace(self) -> None:
        pass

    def on_done(self) -> None:
        pass

    def on_mark(self, kind: str) -> None:
        pass


class ChoiceList(GridLayout):  # type: ignore[misc]
    """Buttons for a list of choices: items are dicts {"key", "label", "sub"?, "selected"?, "disabled"?}
    whose texts are `Text` pairs or plain strings; `on_choose(key)`."""

    items = ListProperty([])
    lang = StringProperty("vi")
    row_height = NumericProperty(dp(96))
    sub_size = NumericProperty(dp(21))  # the second line's type size
    follow_selected = BooleanProperty(False)  # keep the selected item scrolled into view
    __events__ = ("on_choose",)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cols", 1)
        super().__init__(spacing=dp(10), size_hint_y=None, **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.bind(items=self._rebuild, lang=self._rebuild, sub_size=self._rebuild, row_height=self._rebuild)

    def _rebuild(self, *_: Any) -> None:
        self.clear_widgets()
        for item in self.items:
            text = say(item.get("label"), self.lang)
            sub = say(item.get("sub"), self.lang)
            if sub:
                text = f"[b]{text}[/b]\n[size={int(self.sub_size)}]{sub}[/size]"
            button = KeyButton(
                text=text,
                key=str(item["key"]),
                markup=True,
                kind="selected" if item.get("selected") else "soft",
                size_hint_y=None,
                height=max(self.row_height + dp(34) * int(item.get("extra_lines", 0)), MIN_TARGET),
                disabled=bool(item.get("disabled")),
            )
            button.bind(on_release=lambda b: self.dispatch("on_choose", b.key))
            self.add_widget(button)
            if item.get("selected") and self.follow_selected:
                Clock.schedule_once(lambda _dt, b=button: self.show(b), 0)

    def show(self, button: Any) -> None:
        """Scroll the list so that this item is in view."""
        from kivy.uix.scrollview import ScrollView

        if isinstance(self.parent, ScrollView) and button.parent is self:
            self.parent.scroll_to(button, padding=dp(10), animate=False)

    def on_choose(self, key: str) -> None:
        pass


class KioskScroll(ScrollView):  # type: ignore[misc]
    """A list that says it goes on: while more lies below, its foot fades into the page under a line
    "▼ Còn nữa — vuốt lên để xem thêm" (so a row cut by the edge reads as "more", not as broken), and
    the bar at its side stays drawn instead of fading out."""

    hint_text = StringProperty("")
    hint_color = ColorProperty([0.05, 0.20, 0.40, 1])
    fade = ColorProperty([0.96, 0.97, 0.98, 1])
    font = NumericProperty(dp(22))
    more_below = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ramp = Texture.create(size=(1, 64), colorfmt="rgba")
        alpha = np.linspace(255, 0, 64, dtype=np.uint8)  # opaque at the foot, clear above
        ramp = np.stack([np.full(64, 255, np.uint8)] * 3 + [alpha], axis=1)
        self._ramp.blit_buffer(ramp.tobytes(), colorfmt="rgba", bufferfmt="ubyte")
        self._label_key: tuple[str, float, float] | None = None
        self._label: Any = None
        # Its own group after the view's stencil pop: clearing it leaves the stencil instructions alone.
        self._hint = InstructionGroup()
        self.canvas.after.add(self._hint)
        self.bind(
            size=self._redraw, pos=self._redraw, scroll_y=self._redraw, viewport_size=self._redraw,
            fade=self._redraw, hint_text=self._redraw, hint_color=self._redraw, font=self._redraw,
        )  # fmt: skip
        self.bind(width=self._keep_bar_clear, bar_width=self._keep_bar_clear)

    def add_widget(self, widget: Any, *args: Any, **kwargs: Any) -> None:
        super().add_widget(widget, *args, **kwargs)
        self._keep_bar_clear()

    def _keep_bar_clear(self, *_: Any) -> None:
        """The list stops short of the bar, so the bar never covers a row's right edge (a "Sửa" button
        there). Always, not only while it scrolls: text rewrapped to a new width could change whether
        it scrolls, and so back and forth."""
        for content in self.children:
            if content.size_hint_x is not None:
                content.size_hint_max_x = max(0.0, self.width - self.bar_width - dp(8))

    def _redraw(self, *_: Any) -> None:
        from kivy.graphics import Rectangle, Triangle

        self.more_below = self.viewport_size[1] > self.height + 2 and self.scroll_y > 0.002
        self._hint.clear()
        if not self.more_below:
            return
        band = min(self.height * 0.4, self.font * 2.6)
        text = self._hint_texture()
        side, x, y = self.font * 0.7, self.x + dp(12), self.y + band * 0.14
        group = self._hint
        group.add(Color(*self.fade))
        group.add(Rectangle(pos=(self.x, self.y), size=(self.width, band), texture=self._ramp))
        group.add(Rectangle(pos=(self.x, self.y), size=(self.width, band * 0.55)))
        group.add(Color(*self.hint_color))
        group.add(Triangle(points=[x, y + side, x + side, y + side, x + side / 2, y]))
        if text is not None:
            at = (x + side + dp(12), y + side / 2 - text.height / 2)
            group.add(Rectangle(texture=text, size=text.size, pos=at))

    def _hint_texture(self) -> Any:
        """The hint's words drawn once per text, size and width; a narrow list says only "Còn nữa"."""
        if not self.hint_text:
            return None
        room = self.width - self.font * 0.7 - dp(36)
        key = (str(self.hint_text), float(self.font), float(room))
        if key != self._label_key:
            from kivy.core.text import Label as CoreLabel

            for words in (self.hint_text, self.hint_text.split(" — ")[0]):
                label = CoreLabel(text=words, font_size=self.font * 0.8, bold=True)
                label.refresh()
                if label.texture.width <= room:
                    break
            self._label, self._label_key = label.texture, key
        return self._label


def bgr_texture(frame: np.ndarray[Any, Any], texture: Texture | None = None) -> Texture:
    """A Kivy texture of a BGR (or grey) frame, reused when the size matches."""
    height, width = frame.shape[:2]
    fmt = "bgr" if frame.ndim == 3 else "luminance"
    if texture is None or texture.size != (width, height) or texture.colorfmt != fmt:
        texture = Texture.create(size=(width, height), colorfmt=fmt)
        texture.flip_vertical()
    texture.blit_buffer(np.ascontiguousarray(frame).tobytes(), colorfmt=fmt, bufferfmt="ubyte")
    return texture


class QrImage(Image):  # type: ignore[misc]
    """A QR code of `data`, drawn as a crisp texture."""

    data = StringProperty("")

    def on_data(self, _instance: Any, data: str) -> None:
        if not data:
            self.texture = None
            return
        import qrcode

        code = qrcode.QRCode(border=2, box_size=1)
        code.add_data(data)
        code.make(fit=True)
        modules = np.array(code.get_matrix(), dtype=bool)
        picture = np.where(modules, 0, 255).astype(np.uint8)
        picture = np.kron(picture, np.ones((8, 8), dtype=np.uint8))
        texture = bgr_texture(picture)
        texture.mag_filter = "nearest"
        self.texture = texture


class CameraPreview(Image):  # type: ignore[misc]
    """The camera's newest frame at up to `fps`, with the page outline the scan presenter found."""

    source_fn = ObjectProperty(None, allownone=True)  # () -> frame or None
    outline = ListProperty([])  # 8 shares of the frame: TL, TR, BR, BL
    running = BooleanProperty(False)
    fps = NumericProperty(30)
    frames_shown = NumericProperty(0)
    outline_color = ColorProperty([0.0, 0.9, 0.3, 1])

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("fit_mode", "contain")
        super().__init__(**kwargs)
        self._event: Any = None
        self._last: Any = None
        self.bind(outline=self._draw_outline, size=self._draw_outline, pos=self._draw_outline)
        self.bind(running=self._run)

    def _run(self, *_: Any) -> None:
        if self.running and self._event is None:
            self._event = Clock.schedule_interval(self._refresh, 1.0 / self.fps)
        elif not self.running and self._event is not None:
            self._event.cancel()
            self._event = None

    def _refresh(self, _dt: float) -> None:
        frame = self.source_fn() if self.source_fn else None
        if frame is None or frame is self._last:
            return
        self._last = frame
        self.texture = bgr_texture(frame, self.texture)  # type: ignore[has-type]
        self.frames_shown += 1
        self._draw_outline()

    def drop(self) -> None:
        """Forget the picture (a wipe)."""
        self.running = False
        self._last = None
        self.texture = None
        self.outline = []

    def _draw_outline(self, *_: Any) -> None:
        self.canvas.after.clear()
        if len(self.outline) != 8 or self.texture is None:
            return
        width, height = self.norm_image_size
        left = self.center_x - width / 2
        bottom = self.center_y - height / 2
        points: list[float] = []
        for index in range(0, 8, 2):
            points += [left + self.outline[index] * width, bottom + (1 - self.outline[index + 1]) * height]
        with self.canvas.after:
            Color(*self.outline_color)
            Line(points=points, close=True, width=dp(3))


def current_app() -> Any:
    return App.get_running_app()


FACE_COLORS = {
    1: (0.80, 0.15, 0.15, 1),
    2: (0.92, 0.45, 0.10, 1),
    3: (0.90, 0.72, 0.05, 1),
    4: (0.45, 0.70, 0.15, 1),
    5: (0.05, 0.60, 0.25, 1),
}


class FaceButton(BigButton):
    """One of five faces, drawn (no emoji font needed): 1 frowns, 3 is flat, 5 smiles."""

    score = NumericProperty(3)
    chosen = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bind(pos=self._draw, size=self._draw, score=self._draw, chosen=self._draw)
        self.bind(size=self._place_text)

    def _place_text(self, *_: Any) -> None:
        self.text_size = (self.width - dp(12), self.height - dp(10))  # the label under the face

    def _draw(self, *_: Any) -> None:
        self.canvas.after.clear()
        radius = min(self.width, self.height - dp(50)) * 0.38
        cx, cy = self.center_x, self.y + dp(50) + (self.height - dp(50)) / 2
        curve = (int(self.score) - 3) * radius * 0.22  # >0 smiles, <0 frowns
        with self.canvas.after:
            Color(*FACE_COLORS.get(int(self.score), FACE_COLORS[3]))
            Line(circle=(cx, cy, radius), width=dp(5) if self.chosen else dp(3))
            Line(circle=(cx - radius * 0.35, cy + radius * 0.25, radius * 0.08), width=dp(4))
            Line(circle=(cx + radius * 0.35, cy + radius * 0.25, radius * 0.08), width=dp(4))
            mouth_y = cy - radius * 0.35
            Line(
                bezier=[cx - radius * 0.45, mouth_y, cx, mouth_y - curve * 2, cx + radius * 0.45, mouth_y],
                width=dp(4),
            )


class ReviewList(GridLayout):  # type: ignore[misc]
    """Rows of {"key", "label", "value", "editable"?, "reveal"?}: the question or paper, the answer, and a
    "Sửa" button beside it (`on_edit(key)`); an ID number has "Hiện số" / "Ẩn số" too (`on_reveal(key)`)."""

    rows_data = ListProperty([])
    edit_text = StringProperty("Sửa")
    show_text = StringProperty("Hiện số")
    hide_text = StringProperty("Ẩn số")
    font = NumericProperty(dp(26))
    __events__ = ("on_edit", "on_reveal")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cols", 1)
        super().__init__(spacing=dp(10), size_hint_y=None, **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.bind(rows_data=self._rebuild, edit_text=self._rebuild, font=self._rebuild)
        self.bind(show_text=self._rebuild, hide_text=self._rebuild)

    def _rebuild(self, *_: Any) -> None:
        from kivy.uix.label import Label

        self.clear_widgets()
        for row in self.rows_data:
            line = BoxLayout(spacing=dp(12), size_hint_y=None)
            text = Label(
                text=f"[size={int(self.font * 0.8)}]{markup_safe(row['label'])}[/size]\n"
                f"[b]{markup_safe(row['value'])}[/b]",
                markup=True,
                font_size=self.font,
                halign="left",
                valign="middle",
            )
            text.bind(width=lambda label, width: setattr(label, "text_size", (width, None)))
            line.add_widget(text)
            if row.get("reveal"):
                words = self.show_text if row["reveal"] == "show" else self.hide_text
                reveal = KeyButton(text=words, key=str(row["key"]), kind="soft", size_hint_x=None)
                reveal.width = max(MIN_TARGET * 2.2, self.font * 5)
                reveal.bind(on_release=lambda b: self.dispatch("on_reveal", b.key))
                line.add_widget(reveal)
            if row.get("editable", True):
                button = KeyButton(text=self.edit_text, key=str(row["key"]), kind="soft", size_hint_x=None)
                button.width = max(MIN_TARGET * 1.6, self.font * 4)
                button.bind(on_release=lambda b: self.dispatch("on_edit", b.key))
                line.add_widget(button)
            text.bind(
                texture_size=lambda label, size, line=line: setattr(
                    line, "height", max(size[1] + dp(12), MIN_TARGET)
                )
            )
            line.height = MIN_TARGET
            self.add_widget(line)

    def on_edit(self, key: str) -> None:
        pass

    def on_reveal(self, key: str) -> None:
        pass


def markup_safe(text: str) -> str:
    """A citizen's answer shown inside Kivy markup exactly as typed."""
    return str(text).replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
