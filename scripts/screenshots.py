"""The screenshots in docs/screenshots/, regenerated from the running app (``make screenshots``).

Starts the app on a free port, drives headless system Chromium (Playwright, never a downloaded
browser) and writes PNG files with stable names:

* ``default-1280x720.png``: the default page at 1280x720, the projector's shot (the README's
  first picture); ``default-1400x1000.png`` (a laptop) and ``default-390x844.png`` (a phone,
  touch).
* ``view-<slug>.png``: each view of :data:`regviz.page.views.VIEWS` at 1280x720, opened by its
  link (``?view=<slug>``) and scrolled into sight.
* ``tour-<k>-<slug>.png``: each step of the "Start here" tour (:data:`regviz.tour.STEPS`,
  k from 1) at 1280x720. Each step is opened by a link built from its settings
  (``to_query(step.settings()) | {"view": step.view}``); if the page shows the tour's buttons,
  the tour is driven by them instead (Start, then Next), so that the step's sentences show. A
  step with a view is scrolled to it.
* ``drag-1.png`` .. ``drag-4.png``: the λ control, the fit and the error against λ while a
  student drags λ from 0 to 100 (a 1280-pixel wide window), the frames the README shows as a
  sequence.

``python scripts/screenshots.py [--out DIR] [name ...]`` writes only the named groups (default,
views, tour, drag; no name: all) to DIR (default: docs/screenshots).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from regviz.page.views import VIEWS  # noqa: E402
from regviz.settings import LAMBDA_GRID, to_query  # noqa: E402
from tests.conftest import (  # noqa: E402
    CHROMIUM_ARGS,
    IDLE,
    _chromium_path,
    start_app,
    stop_app,
    wait_for_rerun,
)

OUT = ROOT / "docs" / "screenshots"
LAM = ".st-key-lam #lam"
CHARTS = "[data-testid=stVegaLiteChart] svg.marks"
#: The drag's frames: λ = 0 (overfit), 1e-6, the default data's best λ, 100 (underfit).
DRAG = (0.0, 1e-06, 0.0063095734448, 100.0)
#: The default page's sizes: (width, height, touch).
SIZES = ((1280, 720, False), (1400, 1000, False), (390, 844, True))
VIEW_SIZE = {"width": 1280, "height": 720}
#: The views' navigation and the open view (regviz.page.views.render).
VIEWS_BOX = ".st-key-views"
TOUR_START = ".st-key-_tour_start button"
TOUR_NEXT = ".st-key-_tour_next button"


def settle(page):
    page.wait_for_selector(IDLE, timeout=60_000)
    try:
        page.wait_for_selector(CHARTS, state="attached", timeout=30_000)
    except Exception:  # a page without charts is still photographed
        print(f"  note: no chart drawn on {page.url}")
    page.wait_for_timeout(800)  # Vega draws after the run
    page.wait_for_selector(IDLE, timeout=60_000)


def scroll_to_views(page):
    """Bring the views' navigation and the open view to the top of the window."""
    box = page.locator(VIEWS_BOX)
    if box.count():
        box.first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(400)
    else:
        print("  note: no views box (.st-key-views) on the page; not scrolled")


def default_page(browser, base, out):
    for width, height, touch in SIZES:
        context = browser.new_context(
            viewport={"width": width, "height": height}, has_touch=touch, is_mobile=touch
        )
        page = context.new_page()
        page.goto(base)
        settle(page)
        page.screenshot(path=out / f"default-{width}x{height}.png")
        context.close()


def views(browser, base, out):
    context = browser.new_context(viewport=VIEW_SIZE)
    page = context.new_page()
    for view in VIEWS:
        page.goto(f"{base}/?{urlencode({'view': view.slug})}")
        settle(page)
        scroll_to_views(page)
        page.screenshot(path=out / f"view-{view.slug}.png")
    context.close()


def tour_steps():
    """The tour's steps, or None (with a note) where the tour does not exist yet."""
    try:
        from regviz.tour import STEPS
    except ImportError as missing:
        print(f"  note: no tour to photograph ({missing}); skipped")
        return None
    return STEPS


def step_url(base, step):
    """The link that opens a tour step: its settings, and its view."""
    query = to_query(step.settings())
    if step.view:
        query |= {"view": step.view}
    return f"{base}/?{urlencode(query)}"


def tour(browser, base, out):
    steps = tour_steps()
    if not steps:
        return
    context = browser.new_context(viewport=VIEW_SIZE)
    page = context.new_page()
    page.goto(base)
    settle(page)
    by_buttons = page.locator(TOUR_START).count() > 0
    print(f"  tour: {len(steps)} steps, driven by {'its buttons' if by_buttons else 'links'}")
    for k, step in enumerate(steps, start=1):
        if by_buttons:
            page.locator(TOUR_START if k == 1 else TOUR_NEXT).first.click()
            wait_for_rerun(page)
            settle(page)
        else:
            page.goto(step_url(base, step))
            settle(page)
        if step.view:
            scroll_to_views(page)
        else:
            page.locator("[data-testid=stMain]").evaluate("e => e.scrollTo(0, 0)")
        page.screenshot(path=out / f"tour-{k}-{step.slug}.png")
    context.close()


def drag_sequence(browser, base, out):
    """The top of the page at each λ of :data:`DRAG`, moved with the mouse on the λ control (the
    browser redraws; no rerun is waited for between frames)."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
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
        page.screenshot(path=out / f"drag-{k}.png", clip=clip)
    page.mouse.up()
    page.close()


GROUPS = {"default": default_page, "views": views, "tour": tour, "drag": drag_sequence}


def main(args=()):
    args, out = list(args), OUT
    if "--out" in args:
        at = args.index("--out")
        out = Path(args[at + 1]).resolve()
        del args[at : at + 2]
    names = args
    unknown = set(names) - set(GROUPS)
    if unknown:
        sys.exit(f"unknown group(s) {sorted(unknown)}; choose from {sorted(GROUPS)}")
    executable = _chromium_path()
    if executable is None:
        sys.exit("no system Chromium: apt-get install -y chromium")
    out.mkdir(parents=True, exist_ok=True)
    process, base = start_app()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            for name, group in GROUPS.items():
                if not names or name in names:
                    print(f"{name} ...")
                    group(browser, base, out)
            browser.close()
    finally:
        stop_app(process)
    for path in sorted(out.glob("*.png")):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main(sys.argv[1:])
