"""The screenshots in docs/screenshots/, regenerated from the running app (``make screenshots``).

Starts the app on a free port, drives headless system Chromium (Playwright, never a downloaded
browser) and writes PNG files:

* ``drag-1.png`` .. ``drag-4.png``: the λ control, the fit and the error against λ while a
  student drags λ from 0 to 100 (a 1280-pixel wide window), the frames the README shows as a
  sequence.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from regviz.settings import LAMBDA_GRID  # noqa: E402
from tests.conftest import CHROMIUM_ARGS, IDLE, _chromium_path, start_app, stop_app  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
LAM = ".st-key-lam #lam"
#: The drag's frames: λ = 0 (overfit), 1e-6, the default data's best λ, 100 (underfit).
DRAG = (0.0, 1e-06, 0.0063095734448, 100.0)


def settle(page):
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_timeout(800)  # Vega draws after the run


def drag_sequence(page, base):
    """The top of the page at each λ of :data:`DRAG`, moved with the mouse on the λ control (the
    browser redraws; no rerun is waited for between frames)."""
    page.goto(base)
    settle(page)
    slider = page.locator(LAM)
    box = slider.bounding_box()
    y = box["y"] + box["height"] / 2
    left, width = box["x"] + 16, box["width"] - 32

    def x_of(index):
        return left + width * index / (len(LAMBDA_GRID) - 1)

    page.mouse.move(x_of(0), y)
    page.mouse.down()
    current = 0
    for k, lam in enumerate(DRAG, start=1):
        target = LAMBDA_GRID.index(lam)
        step = 1 if target >= current else -1
        for index in range(current, target + step, step):
            page.mouse.move(x_of(index), y)
        current = target
        page.wait_for_timeout(400)
        top = page.locator(".st-key-lam").bounding_box()
        bottom = page.locator(".st-key-lam-errors").bounding_box()
        clip = {
            "x": top["x"] - 10,
            "y": top["y"] - 10,
            "width": top["width"] + 20,
            "height": bottom["y"] + bottom["height"] - top["y"] + 20,
        }
        page.screenshot(path=OUT / f"drag-{k}.png", clip=clip)
    page.mouse.up()


def main():
    executable = _chromium_path()
    if executable is None:
        sys.exit("no system Chromium: apt-get install -y chromium")
    OUT.mkdir(parents=True, exist_ok=True)
    process, base = start_app()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            drag_sequence(page, base)
            browser.close()
    finally:
        stop_app(process)
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
