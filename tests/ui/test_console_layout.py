"""Nothing on the counter console is cut off or overlaps, at 1280x720 (the smallest staff screen) and at
1920x1080: every button, label and heading shows its whole text, the keyboard shortcuts stay visible, and the
common case (a case of 3 papers x 2 pages) fits one screen without scrolling. Checked in the console's only
language, Vietnamese (its messages from the server carry English after a slash; its own labels do not).
Measured in the browser: an element whose content is wider or taller than its box (scrollWidth >
clientWidth, an ellipsis at work, text hidden by its box), two controls whose boxes cross, or anything
outside the window."""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.conftest import new_page, screenshot
from tests.ui.test_case_panel import base, call, kiosk_case, printer_file, server, sign_in_at

__all__ = ["base", "printer_file", "server"]  # the case panel's module fixtures, reused

pytestmark = pytest.mark.ui
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright_api.expect

# Answers what is cut off or crossed on the visible page, one line each (empty: nothing).
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const name = (el) => {
    const text = (el.innerText || el.value || el.placeholder || "").replace(/\\s+/g, " ").trim().slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : ""} "${text}"`;
  };
  const shown = (el) => {
    if (el.closest("[hidden], dialog:not([open])")) return false;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== "none" && style.visibility !== "hidden" && box.width > 0 && box.height > 0;
  };
  const scrolls = (style) => /(auto|scroll)/.test(style.overflowX + style.overflowY);
  const W = window.innerWidth, H = window.innerHeight;
  if (document.documentElement.scrollHeight > H) problems.push(`the page scrolls: ${document.documentElement.scrollHeight} > ${H}`);
  if (document.documentElement.scrollWidth > W) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${W}`);
  const all = [...document.body.querySelectorAll("*")].filter(shown);
  for (const el of all) {
    const style = getComputedStyle(el);
    if (style.display === "inline" || style.display === "contents" || el.tagName === "IMG" || el.tagName === "svg") continue;
    const box = el.getBoundingClientRect();
    if (box.right > W + 0.5 || box.bottom > H + 0.5 || box.left < -0.5 || box.top < -0.5)
      problems.push(`outside the window: ${name(el)}`);
    if (scrolls(style)) {
      if (el.scrollHeight > el.clientHeight + 1 && el.dataset.mayScroll === undefined)
        problems.push(`needs scrolling: ${name(el)} ${el.scrollHeight} > ${el.clientHeight}`);
      continue;
    }
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`too wide for its box: ${name(el)} ${el.scrollWidth} > ${el.clientWidth}`);
    if (style.overflowY !== "visible" && el.scrollHeight > el.clientHeight + 1)
      problems.push(`too tall for its box: ${name(el)} ${el.scrollHeight} > ${el.clientHeight}`);
    if (el.tagName === "INPUT" && el.placeholder && !el.value) {
      const probe = document.createElement("span");
      probe.style.cssText = `font:${style.font};white-space:pre;position:absolute;visibility:hidden`;
      probe.textContent = el.placeholder;
      document.body.appendChild(probe);
      const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (probe.getBoundingClientRect().width > room + 1) problems.push(`placeholder cut off: ${name(el)}`);
      probe.remove();
    }
  }
  // Controls and labels must not cross one another (a control inside another is fine).
  const controls = all.filter((el) => el.matches("button, a, label, input, select, kbd, .seat, .chip, h1, h2, h3, .counter-status, #cur-number, #cur-timer, #notice, #error"));
  for (let i = 0; i < controls.length; i++) {
    for (let j = i + 1; j < controls.length; j++) {
      const a = controls[i], b = controls[j];
      if (a.contains(b) || b.contains(a)) continue;
      if ([a, b].some((el) => el.matches("#notice, #error")) && ![a, b].every((el) => el.matches("#notice, #error"))) continue; // messages float by design
      const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
      const x = Math.min(r.right, s.right) - Math.max(r.left, s.left);
      const y = Math.min(r.bottom, s.bottom) - Math.max(r.top, s.top);
      if (x > 1 && y > 1) problems.push(`overlap: ${name(a)} / ${name(b)}`);
    }
  }
  return problems;
}
"""


def problems(page: Any) -> list[str]:
    found = list(page.evaluate(LAYOUT_PROBLEMS))
    print("\n".join(found))  # the whole list when it fails
    return found


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_nothing_on_the_console_is_cut_off(
    chromium: Any, page_errors: list[str], base: str, width: int, height: int
) -> None:
    page = new_page(chromium, page_errors, width, height)
    sign_in_at(page, base, "canbo4", 4)  # counter 4 serves every line
    expect(page.locator("#waiting-empty")).to_be_visible()
    screenshot(page, f"layout-console-{width}x{height}.png")
    assert problems(page) == []

    answer = kiosk_case(base, f"layout-{width}", ("GTCMCHO", "GTQHNT", "VBDONGY"), pages=2)
    code, number = answer["dossier"]["code"], answer["ticket"]["number"]
    call(page, number)
    expect(page.locator("body")).to_have_attribute("data-case-ready", code)
    page.wait_for_function(
        "[...document.querySelectorAll('#case-papers .thumb img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    page.locator("#notice").evaluate("n => n.hidden = true")  # the call's message floats; checked on its own
    screenshot(page, f"layout-console-case-{width}x{height}.png")
    assert problems(page) == []
    buttons = page.locator(
        "#actions button, .counter-actions button[data-action=pause], #case-actions button"
    )
    assert buttons.count() == 16
    for button in buttons.all():  # every action shows its shortcut on its button
        expect(button.locator("kbd").first).to_be_visible()

    # The counter paused: its button says "Tiếp tục làm việc", the longest label of the ticket actions.
    page.keyboard.press("p")
    page.fill("#reason-input", "Nghỉ giải lao")
    page.click("#reason-form button[value=ok]")
    expect(page.locator("#counter-status")).to_contain_text("Tạm dừng")
    page.locator("#notice").evaluate("n => n.hidden = true")
    assert problems(page) == []
    page.keyboard.press("p")
    expect(page.locator("#counter-status")).to_contain_text("Đang mở")
    page.keyboard.press("f")
    page.click('button[data-action="closeCounter"]')
    expect(page.locator("#pick-view")).to_be_visible()
    assert page_errors == []
