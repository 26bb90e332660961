"""Accessibility of the real page in headless Chromium (issue 15, point 9).

* axe-core (``axe-playwright-python``, which bundles ``axe.min.js``: nothing is fetched) on the
  default page at 1280x720 and at phone size (390x844, touch), with every expander open, and on
  every view (``?view=<slug>``): no violation of impact "serious" or "critical". Each page is
  audited twice: in its window, and in a window as tall as the page, because axe leaves the
  colour contrast of text outside the window undecided ("incomplete"), not failed.
* A keyboard walk (Tab from the top until focus comes back round) on the default page and on
  the views with other kinds of control: every control that takes focus shows a ring, an
  outline of at least 2 px or an opaque shadow of at least 2 px, at least 3:1 against the
  background behind it, on the control or on the visible box around it (a radio button's
  label, a slider's thumb, a select box's field).

The rules that make this hold are in ``regviz/page/accessibility.css``, which the page loads.
"""

from __future__ import annotations

import contextlib

import pytest

from regviz.page.views import VIEWS
from tests.conftest import IDLE

pytestmark = pytest.mark.browser

FAILING_IMPACTS = ("serious", "critical")
CHARTS_DRAWN = "[data-testid=stVegaLiteChart] svg.marks"
#: The tallest window an audit opens (the page is about 4,700 px with every expander open).
TALLEST = 12_000


def _axe():
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


def settle(page):
    page.wait_for_selector(IDLE, timeout=60_000)
    with contextlib.suppress(Exception):  # a page that cannot be fitted draws no chart
        page.wait_for_selector(CHARTS_DRAWN, state="attached", timeout=30_000)
    page.wait_for_timeout(600)  # Vega draws after the run
    page.wait_for_selector(IDLE, timeout=60_000)


def open_expanders(page):
    """Open every closed expander (the presets, the "Reproduce in Python" panel), one by one."""
    for _ in range(20):
        closed = page.locator("[data-testid=stExpander] details:not([open]) > summary")
        if closed.count() == 0:
            return
        closed.first.click()
        settle(page)


def page_height(page):
    return page.evaluate(
        """() => Math.max(document.documentElement.scrollHeight, ...[...document.querySelectorAll(
            '[data-testid=stMain], [data-testid=stSidebarContent]')].map(e => e.scrollHeight))"""
    )


def failing(results):
    return [v for v in results.response["violations"] if v["impact"] in FAILING_IMPACTS]


def audit(page):
    """axe on the page in its window, then in a window as tall as the page: the serious and
    critical violations of both, one entry per rule and node."""
    axe = _axe()
    found = {}
    size = page.viewport_size
    for height in (size["height"], min(max(page_height(page), size["height"]), TALLEST)):
        if height != page.viewport_size["height"]:
            page.set_viewport_size({"width": size["width"], "height": height})
            settle(page)
        for violation in failing(axe.run(page)):
            entry = found.setdefault(violation["id"], {**violation, "nodes": []})
            known = {tuple(node["target"]) for node in entry["nodes"]}
            entry["nodes"] += [n for n in violation["nodes"] if tuple(n["target"]) not in known]
    page.set_viewport_size(size)
    return list(found.values())


def describe(violations):
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  - {' >> '.join(node['target'])}")
            lines.append(f"      {node['html'][:200]}")
            checks = node.get("any", []) + node.get("all", []) + node.get("none", [])
            for check in checks[:2]:
                lines.append(f"      {check['message']}")
    return "\n".join(lines)


def assert_no_serious_violation(page, where):
    violations = audit(page)
    print(f"axe on {where}:\n{describe(violations) or 'no serious or critical violation'}")
    assert not violations, f"axe on {where}:\n{describe(violations)}"


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def laptop(browser):
    """The projector's and the laptop's window: 1280x720."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    yield context.new_page()
    context.close()


def test_axe_default_page_1280x720(laptop, app_url):
    laptop.goto(app_url)
    settle(laptop)
    assert_no_serious_violation(laptop, "the default page at 1280x720")


def test_axe_default_page_expanders_open(laptop, app_url):
    laptop.goto(app_url)
    settle(laptop)
    open_expanders(laptop)
    assert_no_serious_violation(laptop, "the default page at 1280x720, every expander open")


def test_axe_phone_390x844(phone, app_url):
    phone.goto(app_url)
    settle(phone)
    assert_no_serious_violation(phone, "the default page at 390x844")
    button = phone.locator("[data-testid=stExpandSidebarButton]")
    if button.count():
        button.first.click()
        settle(phone)
        assert_no_serious_violation(phone, "the default page at 390x844, sidebar open")


@pytest.mark.parametrize("slug", [view.slug for view in VIEWS])
def test_axe_every_view(laptop, app_url, slug):
    laptop.goto(f"{app_url}/?view={slug}")
    settle(laptop)
    assert_no_serious_violation(laptop, f"the view {slug!r} at 1280x720")


# The keyboard walk. The focused element, followed into shadow roots (the λ control), and the
# box that shows its ring: itself or one of its next four ancestors that is at least 8x8 px
# (a radio button's or checkbox's input is a hidden 1 px box inside its label; a slider's inside
# its thumb; a select box's and a number input's inside the field that draws the border).
FOCUS_RING = r"""() => {
  let el = document.activeElement;
  while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rgba = text => {
    const number = String.raw`([\d.e-]+)`;
    const srgb = text.match(
      new RegExp(String.raw`color\(srgb ${number} ${number} ${number}(?: \/ ${number})?\)`));
    if (srgb) {
      return [...srgb.slice(1, 4).map(v => 255 * Number(v)), srgb[4] ? Number(srgb[4]) : 1];
    }
    const m = text.match(
      new RegExp(String.raw`rgba?\(${number},? ${number},? ${number}(?:,? \/?\s*${number})?\)`));
    if (!m) return null;
    return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  };
  const luminance = ([r, g, b]) => {
    const lin = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const parent = n => n.parentElement || (n.getRootNode() && n.getRootNode().host) || null;
  const background = node => {
    for (let n = parent(node); n; n = parent(n)) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
  const holder = el.closest("[data-testid^=st]") || parent(el)?.closest?.("[data-testid^=st]");
  const what = {
    tag: el.tagName.toLowerCase(), type: el.getAttribute("type"), role: el.getAttribute("role"),
    name: name.slice(0, 50), widget: holder ? holder.getAttribute("data-testid") : null,
    id: el.id || null,
  };
  const seen = [];
  let n = el;
  for (let i = 0; i < 5 && n; i++, n = parent(n)) {
    if (n.nodeType !== 1) break;
    const box = n.getBoundingClientRect();
    if (box.width < 8 || box.height < 8) continue;
    const s = getComputedStyle(n);
    const back = background(n);
    const width = parseFloat(s.outlineWidth) || 0;
    const outline = rgba(s.outlineColor);
    if (s.outlineStyle !== "none" && width >= 2 && outline && outline[3] === 1) {
      const ratio = contrast(outline, back);
      seen.push(`${n.tagName.toLowerCase()}: outline ${width}px ${ratio.toFixed(1)}:1`);
      if (ratio >= 3) return {...what, ok: true, ring: seen.at(-1)};
    }
    for (const shadow of s.boxShadow === "none" ? [] : s.boxShadow.split(/,(?![^(]*\))/)) {
      const color = rgba(shadow);
      const sizes = shadow.replace(/(rgba?|color)\([^)]*\)/, "").trim().split(/\s+/);
      const spread = parseFloat(sizes[3] || "0");
      if (color && color[3] === 1 && spread >= 2 && !shadow.includes("inset")) {
        const ratio = contrast(color, back);
        seen.push(`${n.tagName.toLowerCase()}: shadow ${spread}px ${ratio.toFixed(1)}:1`);
        if (ratio >= 3) return {...what, ok: true, ring: seen.at(-1)};
      }
    }
  }
  return {...what, ok: false, ring: seen.join("; ") || "none"};
}"""

#: What the walk must have met on the default page (radio buttons: the issue's faint ring).
KINDS = {
    "radio button": lambda f: f["type"] == "radio",
    "slider": lambda f: f["type"] == "range" and f["widget"] == "stSlider",
    "λ control": lambda f: f["id"] == "lam",
    "select box": lambda f: f["role"] == "combobox",
    "number input": lambda f: f["type"] == "number",
    "view button": lambda f: f["widget"] == "stButtonGroup",
    "expander": lambda f: f["tag"] == "summary",
    "button": lambda f: f["tag"] == "button",
}


def walk(page, limit=400):
    """Tab from the top of the page until focus comes back to the first control: what each
    press focused, and its ring."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    focused, first = [], None
    for _ in range(limit):
        page.keyboard.press("Tab")
        page.wait_for_selector(IDLE, timeout=30_000)
        info = page.evaluate(FOCUS_RING)
        if info is None:
            continue
        key = (info["tag"], info["name"], info["widget"], info["id"])
        if key == first:
            break
        first = first or key
        focused.append(info)
    return focused


def assert_every_focus_visible(focused, where):
    faint = [f for f in focused if not f["ok"]]
    lines = [
        f"  {f['widget']} {f['tag']} {f['type'] or f['role'] or ''} {f['name']!r}: {f['ring']}"
        for f in faint
    ]
    assert not faint, f"{where}: focus without a visible ring:\n" + "\n".join(lines)


def test_focus_ring_on_every_control(laptop, app_url):
    laptop.goto(app_url)
    settle(laptop)
    open_expanders(laptop)  # the presets' buttons, the Reproduce panel's tabs
    focused = walk(laptop)
    missing = [kind for kind, match in KINDS.items() if not any(map(match, focused))]
    assert not missing, f"the keyboard never reached: {missing}"
    assert_every_focus_visible(focused, "the default page")


@pytest.mark.parametrize("slug", ["geometry", "early-stopping", "cross-validation"])
def test_focus_ring_in_views(laptop, app_url, slug):
    """The views with controls of their own: a toggle and select boxes, a select slider, a
    button and a slider."""
    laptop.goto(f"{app_url}/?view={slug}")
    settle(laptop)
    assert_every_focus_visible(walk(laptop), f"the view {slug!r}")
