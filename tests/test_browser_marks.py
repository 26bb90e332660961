"""The charts' marks as Chromium draws them (Vega's SVG, read from the page): the marks that
issue 15 found missing or hidden are there and visible, no text is cut or too small or too pale,
and every chart has a text alternative."""

from __future__ import annotations

import pytest

from regviz.charts.common import contrast
from tests.conftest import wait_for_rerun
from tests.test_browser_app import CHART

#: Every chart's drawing: its text alternative, its text (size, colour) and legend labels.
CHARTS_JS = """() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].map(chart => {
    const svg = chart.querySelector('svg.marks');
    const embed = chart.closest('.vega-embed') || chart;
    const texts = svg ? [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()) : [];
    return {
        aria: embed.getAttribute('aria-label') || '',
        legend: svg ? [...svg.querySelectorAll('.role-legend-label text')].map(t => t.textContent)
                    : [],
        texts: texts.map(t => ({
            text: t.textContent,
            size: parseFloat(t.getAttribute('font-size') || getComputedStyle(t).fontSize),
            fill: t.getAttribute('fill') || '',
            opacity: parseFloat(t.getAttribute('opacity') || '1'),
        })),
    };
})"""

#: The rules (and their labels) that a chart marks with an ``aria-label``: their drawn boxes.
RULES_JS = """label => [...document.querySelectorAll(
    `[data-testid=stVegaLiteChart] line[aria-label="${label}"]`)].map(line => {
    const box = line.getBoundingClientRect();
    return {x: box.x, y: box.y, width: box.width, height: box.height,
            translate: line.getAttribute('transform'), y2: line.getAttribute('y2')};
})"""


def open_page(page, app_url, query, charts):
    page.goto(f"{app_url}/?{query}")
    wait_for_rerun(page)
    page.wait_for_function(
        f"document.querySelectorAll('{CHART} svg.marks').length >= {charts}", timeout=60_000
    )
    page.wait_for_timeout(800)  # the last chart's legend and text
    return page.evaluate(CHARTS_JS)


def _hex(fill):
    """A ``#rrggbb`` (or ``#rgb``) fill, or None for named and transparent fills."""
    if not fill.startswith("#"):
        return None
    return "#" + "".join(c * 2 for c in fill[1:]) if len(fill) == 4 else fill


def check_text(charts, where):
    """Every chart has a text alternative; its text is at least 13 px, 4.5:1 on white (the
    white halos under labels aside), and no legend label is cut ("…")."""
    assert charts, where
    for chart in charts:
        assert len(chart["aria"]) > 40, (where, chart["aria"])
        assert not any(label.endswith("…") for label in chart["legend"]), (where, chart["legend"])
        for text in chart["texts"]:
            assert not text["text"].endswith("…"), (where, text)
            colour = _hex(text["fill"])
            if colour is None or colour.lower() == "#ffffff" or text["opacity"] == 0:
                continue
            assert text["size"] >= 13, (where, text)
            assert contrast(colour) >= 4.5, (where, text)


@pytest.mark.browser
def test_the_stability_limit_is_a_rule_across_the_plot_with_its_label_clear_of_the_bar(
    page, app_url
):
    """A diverged run (η·L = 2.1 past the limit 2): the rule has length and its label does not
    overlap the bar. (Before: a zero-length rule, only its label showing, over the bar.)"""
    charts = open_page(page, app_url, "view=descent&lr=2.1", 5)
    check_text(charts, "descent")
    rules = page.evaluate(RULES_JS, "stability limit")
    assert len(rules) == 1, rules
    assert rules[0]["height"] >= 20, rules
    boxes = page.evaluate(
        """() => {
        const line = document.querySelector('line[aria-label="stability limit"]');
        const svg = line.closest('svg');
        const box = e => { const b = e.getBoundingClientRect();
                           return [b.left, b.top, b.right, b.bottom]; };
        const label = [...svg.querySelectorAll('text')]
            .find(t => t.textContent.startsWith('stability limit'));
        return {label: box(label), bar: box(svg.querySelector('.mark-rect path'))};
    }"""
    )
    (l0, t0, r0, b0), (l1, t1, r1, b1) = boxes["label"], boxes["bar"]
    overlap = min(r0, r1) > max(l0, l1) and min(b0, b1) > max(t0, t1)
    assert not overlap, boxes


@pytest.mark.browser
def test_at_lambda_zero_the_current_lambda_rule_is_off_the_axis(page, app_url):
    """λ = 0 sits inside the λ scale, so its rule is not drawn over the y axis. (Before: at the
    scale's left end, on the axis, invisible.)"""
    charts = open_page(page, app_url, "lam=0&view=coefficients", 3)
    check_text(charts, "λ = 0")
    positions = page.evaluate(
        """() => [...document.querySelectorAll(
            '[data-testid=stVegaLiteChart] line[aria-label="current λ"]')].map(line => {
            const m = /translate\\(([-0-9.e]+)/.exec(line.getAttribute('transform') || '');
            return {x: m ? parseFloat(m[1]) : null, y2: parseFloat(line.getAttribute('y2'))};
        })"""
    )
    assert len(positions) >= 2, positions  # the error chart and the coefficient path
    for position in positions:
        assert position["x"] is not None, positions
        assert position["x"] >= 5, positions
        assert position["y2"] > 50, positions


@pytest.mark.browser
def test_degree_legend_tells_current_lambda_from_lambda_zero(page, app_url):
    """Error against degree: "current λ" and "λ = 0" have different legend symbols (shape and
    dash). (Before: two identical circles.)"""
    charts = open_page(page, app_url, "view=degree&lam=0.001", 3)
    check_text(charts, "degree")
    symbols = page.evaluate(
        """() => {
        const out = {};
        for (const svg of document.querySelectorAll('[data-testid=stVegaLiteChart] svg.marks')) {
            for (const label of svg.querySelectorAll('.role-legend-label text')) {
                const entry = label.closest('.role-legend-label').parentNode;
                const symbol = entry && entry.querySelector('.role-legend-symbol path');
                if (symbol) out[label.textContent] =
                    symbol.getAttribute('d') + '|' + symbol.getAttribute('stroke-dasharray');
            }
        }
        return out;
    }"""
    )
    assert "current λ" in symbols, symbols
    assert "λ = 0" in symbols, symbols
    # Different shapes, not only a dash on the outline of the same small circle.
    shape = {label: symbol.split("|")[0] for label, symbol in symbols.items()}
    assert shape["current λ"] != shape["λ = 0"], symbols


@pytest.mark.browser
def test_cross_validation_labels_each_pick(page, app_url):
    """Each dashed rule of Cross-validation says which λ it is (before: three unlabelled
    lines)."""
    charts = open_page(page, app_url, "view=cross-validation", 4)
    check_text(charts, "cross-validation")
    texts = {text["text"] for chart in charts for text in chart["texts"]}
    assert {"leave-one-out pick", "k-fold pick", "least test error"} <= texts, texts
    for label in ("leave-one-out pick", "k-fold pick", "least test error"):
        rules = page.evaluate(RULES_JS, label)
        assert len(rules) == 1, (label, rules)
        assert rules[0]["height"] > 50, (label, rules)


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_default_page_text_is_whole_readable_and_described(browser, app_url, size):
    """At a projector's and a phone's size: no chart text cut, every text at least 13 px and
    4.5:1, every chart with a text alternative that gives its numbers. (Before: 11-12 px grey
    labels, "true functio" cut at 1280 px, no aria-label.)"""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    try:
        charts = open_page(page, app_url, "", 2)
        check_text(charts, size)
        assert any("RMSE" in chart["aria"] and "λ = " in chart["aria"] for chart in charts)
    finally:
        context.close()
