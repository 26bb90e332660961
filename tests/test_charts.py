"""The charts: they build, validate, read the current λ and step through two parameters, and
never hold NaN or inf. (The λ-linked charts' data: tests/test_lambda_area.py.)"""

import json
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from regviz.charts.coefficients import coefficient_path_chart
from regviz.charts.common import LAM_DOMAIN, compile_spec, lambda_position_expr
from regviz.charts.descent import progress_chart, step_size_chart
from regviz.charts.error import error_chart
from regviz.compute.common import lambda_position
from regviz.compute.model import build_model, ridge_along_path
from regviz.data import synthetic
from regviz.settings import LAMBDA_GRID

GRID = np.array(LAMBDA_GRID)


def _spec(chart):
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict()
    json.dumps(spec, allow_nan=False)  # raises on NaN or inf anywhere in the spec or its data
    return spec


def _params(spec):
    return {param["name"]: param for param in spec.get("params", [])}


def test_the_lambda_axis_comes_from_the_grid():
    positions = lambda_position(GRID)
    assert LAM_DOMAIN == [positions.min(), positions.max()] == [-13.0, 4.0]
    # The position expression the charts evaluate in the browser, checked in Python.
    expr = lambda_position_expr("k").replace("?", " if ").replace(":", " else ")
    cond, rest = expr.strip("()").split(" if ")
    zero, line = rest.split(" else ")
    for k in (0, 1, 2, 57, 161):
        value = eval(zero) if eval(cond.replace("k", str(k))) else eval(line.replace("k", str(k)))
        assert value == pytest.approx(positions[k], abs=1e-9)


def test_error_and_coefficient_charts_read_lambda_and_step_parameters():
    model = build_model(synthetic(), 9, "monomial")
    path = ridge_along_path(model, GRID)
    for chart in (
        error_chart(path.errors_frame, path.best_test_index, 36, 1.5, True, lam_index=90),
        coefficient_path_chart(path.coefs_frame, model.feature_names, 36, lam_index=90),
        progress_chart("gap", "J − J*", 36, lam_index=90),
    ):
        spec = compile_spec(chart)
        params = _params(spec)
        assert params["lam_index"]["value"] == 90
        assert params["lam_index"]["bind"]["name"] == "lam_index"
        assert params["step_index"]["value"] == 35
        assert params["step_index"]["bind"]["max"] == 35


def test_progress_chart_is_log_log():
    spec = compile_spec(progress_chart("distance", "‖θ − θ*‖", 10))
    for layer in spec["layer"]:
        assert layer["encoding"]["x"]["scale"]["type"] == "log"
        assert layer["encoding"]["y"]["scale"]["type"] == "log"


@pytest.mark.parametrize(("step", "limit"), [(1.0, 2.0), (4.0, 2.0), (0.05, 3.8)])
def test_step_size_chart(step, limit):
    spec = _spec(step_size_chart(step, limit))
    text = json.dumps(spec)
    assert str(step) in text
    assert str(limit) in text
    top = spec["layer"][0]["encoding"]["x"]["scale"]["domain"][1]
    assert top >= max(step, limit)
    assert math.isfinite(top)


def test_extreme_settings_give_finite_chart_data():
    """Raw basis, degree 30, λ = 0 on 12 points: ill-conditioned, yet every number is finite."""
    model = build_model(synthetic(n=12), 30, "raw")
    path = ridge_along_path(model, GRID)
    _spec(coefficient_path_chart(path.coefs_frame, model.feature_names, 5))
    _spec(error_chart(path.errors_frame, path.best_test_index, 5, 2.0, True))


def test_a_chart_without_test_points_marks_no_best_lambda():
    errors = pd.DataFrame(
        {
            "lam_index": [0, 1],
            "position": [-13.0, -12.0],
            "lam": [0.0, 1e-12],
            "rmse": [1.0, 1.0],
            "set": ["train", "train"],
        }
    )
    spec = _spec(error_chart(errors, None, 3, 2.0, False))
    folds = [t for layer in spec["layer"] for t in layer.get("transform", []) if "fold" in t]
    assert folds == [{"fold": ["train"], "as": ["set", "rmse"]}]


# --- One palette, readable text, text alternatives (issue 15) -------------------------------

MACHADO = {  # Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
#: The least CIEDE2000 difference between two series drawn together, under every simulation.
#: (Okabe and Ito's set reaches 10 to 12 between its members; dashes and shapes tell them apart
#: as well.)
MIN_DELTA_E = 10.0


def _linear(colour):
    c = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear):
    xyz = np.array(
        [
            [0.4124564, 0.3575761, 0.1804375],
            [0.2126729, 0.7151522, 0.0721750],
            [0.0193339, 0.1191920, 0.9503041],
        ]
    ) @ np.clip(linear, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e_2000(lab1, lab2):
    """CIEDE2000 (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dl, dc = l2 - l1, c2 - c1
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    big_dh = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_bar, c_bar = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_bar = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_bar = (h1 + h2) / 2
    else:
        h_bar = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    rc = 2 * math.sqrt(c_bar**7 / (c_bar**7 + 25**7))
    rt = -math.sin(math.radians(60 * math.exp(-(((h_bar - 275) / 25) ** 2)))) * rc
    sl = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    sc, sh = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (big_dh / sh) ** 2 + rt * (dc / sc) * (big_dh / sh)
    )


def seen_apart(c1, c2):
    """The least CIEDE2000 difference of two colours, with normal vision and each simulation."""
    matrices = [np.eye(3), *(np.array(m) for m in MACHADO.values())]
    return min(delta_e_2000(_lab(m @ _linear(c1)), _lab(m @ _linear(c2))) for m in matrices)


def test_colour_difference_matches_published_values():
    # Sharma, Wu and Dalal's test data, pairs 1 and 17.
    assert delta_e_2000((50, 2.6772, -79.7751), (50, 0, -82.7485)) == pytest.approx(2.0425, 1e-4)
    assert delta_e_2000((50, 2.5, 0), (73, 25, -18)) == pytest.approx(27.1492, 1e-4)


@pytest.fixture(scope="module")
def every_chart():
    """Every chart builder's chart on the default data, by name, as a Vega-Lite dict."""
    from regviz.charts.bias_variance import bias_variance_chart, bias_variance_fits_chart
    from regviz.charts.cross_validation import cross_validation_chart, dof_chart
    from regviz.charts.degree import degree_chart
    from regviz.charts.early_stopping import early_stopping_chart, early_stopping_fit_chart
    from regviz.charts.geometry import geometry_chart
    from regviz.charts.lambda_area import compile_lambda_charts
    from regviz.compute.bias_variance import bias_variance, fits_at
    from regviz.compute.cross_validation import cross_validation
    from regviz.compute.degree import error_against_degree
    from regviz.compute.descent import descent_along_path, run_descent
    from regviz.compute.early_stopping import early_stopping, early_stopping_fit
    from regviz.compute.geometry import geometry

    dataset = synthetic(seed=19)
    model = build_model(dataset, 9, "monomial")
    path = ridge_along_path(model, GRID)
    lambda_charts = compile_lambda_charts(dataset, model, path, descent_along_path(model, GRID))
    frame, picks, dof = cross_validation(model, GRID, 5, 0)
    result = bias_variance("sin", 10, 0.3, 19, "even", 9, "monomial", "free", GRID, k=10)
    fits = fits_at(result, 90)
    stopping = early_stopping(model, GRID, iters=1000)
    curves, chosen = early_stopping_fit(model, path, stopping["learning_rate"], 100)
    trace = run_descent(model, GRID[90]).result.trace
    charts = {
        "fit": lambda_charts.fit,
        "error": lambda_charts.error,
        "coefficients": lambda_charts.coefficients,
        "gap": lambda_charts.gap,
        "distance": lambda_charts.distance,
        "step size": step_size_chart(2.1, 2.0),
        "cross-validation": cross_validation_chart(frame, 90, picks, 1.5),
        "dof": dof_chart(dof, 90),
        "degree": degree_chart(error_against_degree(dataset, "monomial", "free", 1e-3), 2.0, 9),
        "early stopping": early_stopping_chart(
            stopping["matches"], stopping["rule_of_thumb"], chosen["step"]
        ),
        "early stopping fit": early_stopping_fit_chart(
            curves, pd.DataFrame({"x": dataset.x_train, "y": dataset.y_train}), (-2, 2)
        ),
        "geometry": geometry_chart(
            geometry(model, path, 90, 1, 2, trace), "w1", "w2", show_l1=True
        ),
        "bias-variance fits": bias_variance_fits_chart(
            fits["fits"], fits["mean"], fits["truth"], (-2, 2)
        ),
        "bias-variance": bias_variance_chart(result.decomposition, 90, 1.0),
    }
    return {name: c if isinstance(c, dict) else _spec(c) for name, c in charts.items()}


def _walk(node):
    """Every dict inside a spec (its datasets left out)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key != "datasets":
                yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _series_scales(spec, channel, text=True):
    """{series name: range value} of every ``channel`` scale in ``spec`` with a domain (of text
    marks too unless ``text`` is false)."""
    found = []
    for node in _walk(spec):
        mark = node.get("mark")
        if not text and isinstance(mark, dict) and mark.get("type") == "text":
            continue
        encoding = node.get("encoding", {}) if isinstance(node.get("encoding"), dict) else {}
        scale = encoding.get(channel, {}).get("scale") if channel in encoding else None
        if (
            isinstance(scale, dict)
            and "range" in scale
            and all(isinstance(name, str) for name in scale.get("domain", [0]))
        ):
            found.append(dict(zip(scale["domain"], scale["range"], strict=False)))
    return found


def test_every_series_has_one_look_on_every_chart(every_chart):
    """The same series name has the same colour and dash everywhere, the palette's."""
    from regviz.charts.common import LOOKS, text_colour

    seen = 0
    for name, spec in every_chart.items():
        for scale in _series_scales(spec, "color"):
            for series, colour in scale.items():
                if series in LOOKS:
                    seen += 1
                    # The series' colour, or (for its labels) its darker shade for text.
                    own = LOOKS[series].colour.lower()
                    assert colour.lower() in {own, text_colour(own)}, (name, series)
        for scale in _series_scales(spec, "strokeDash"):
            for series, dash in scale.items():
                if series in LOOKS:
                    assert tuple(dash) == LOOKS[series].dash, (name, series)
    assert seen >= 25
    # The page's five series keep their colours: no other meaning uses them.
    core = ["training points", "test points", "true function", "closed form", "gradient descent"]
    for series, look in LOOKS.items():
        owner = next((c for c in core if LOOKS[c].colour == look.colour), None)
        assert owner is None or series in {
            owner,
            "train",
            "test",
            "test error",
            "mean of the fits",
            "ridge path",
            "ridge at matching λ",
            "gradient descent at step t",
        }, series


def test_series_drawn_together_survive_colour_blindness(every_chart):
    """Under protanopia, deuteranopia and tritanopia (Machado 2009) every two series of one
    chart stay at least MIN_DELTA_E apart; every series colour is 3:1 on white."""
    from regviz.charts.common import contrast

    worst = []
    for name, spec in every_chart.items():
        if name == "coefficients":
            continue  # the weights: a dark-to-light ramp in degree order, not series
        # (Labels are told apart by their words; their shades are checked for contrast.)
        for scale in _series_scales(spec, "color", text=False):
            colours = sorted({c.lower() for c in scale.values() if isinstance(c, str)})
            for colour in colours:
                assert contrast(colour) >= 3, (name, colour, contrast(colour))
            for i, a in enumerate(colours):
                for b in colours[i + 1 :]:
                    worst.append((seen_apart(a, b), name, a, b))
    assert worst
    assert min(worst)[0] >= MIN_DELTA_E, sorted(worst)[:3]


def test_the_fit_charts_five_series_stay_apart():
    from regviz.charts.common import LOOKS

    core = ["training points", "test points", "true function", "closed form", "gradient descent"]
    colours = [LOOKS[name].colour for name in core]
    least = min(seen_apart(a, b) for i, a in enumerate(colours) for b in colours[i + 1 :])
    assert least >= 12, least


def test_every_text_is_13px_or_more_and_dark_enough(every_chart):
    from regviz.charts.common import contrast

    for name, spec in every_chart.items():
        config = spec.get("config", {})
        for part, keys in (
            ("axis", ("labelFontSize", "titleFontSize")),
            ("legend", ("labelFontSize", "titleFontSize")),
            ("text", ("fontSize",)),
            ("title", ("fontSize",)),
        ):
            for key in keys:
                assert config[part][key] >= 13, (name, part, key)
        for part, key in (("axis", "labelColor"), ("axis", "titleColor"), ("legend", "labelColor")):
            assert contrast(config[part][key]) >= 4.5, (name, part, key)
        assert config["legend"]["labelLimit"] >= 400  # never "true functio"
        for node in _walk(spec):
            mark = node.get("mark")
            if isinstance(mark, dict) and mark.get("type") == "text":
                assert mark.get("fontSize", config["text"]["fontSize"]) >= 13, (name, mark)
                colour = mark.get("color", config["text"].get("color"))
                if mark.get("stroke") == "white":
                    continue  # a halo under a label
                if colour and colour.startswith("#"):
                    assert contrast(colour) >= 4.5, (name, mark)
            if isinstance(mark, dict) and mark.get("type") == "text":
                # scale None: the colours are the data's values (cross-validation's labels,
                # checked in test_cross_validation_has_one_legend_and_dark_labels).
                text_scale = node.get("encoding", {}).get("color", {}).get("scale") or {}
                for colour in text_scale.get("range", []):
                    assert contrast(colour) >= 4.5, (name, colour)


def test_every_chart_has_a_description_with_its_numbers(every_chart):
    from regviz.text import format_value

    for name, spec in every_chart.items():
        assert len(spec.get("description", "")) > 40, name
    error = every_chart["error"]["description"]
    model = build_model(synthetic(seed=19), 9, "monomial")
    path = ridge_along_path(model, GRID)
    best = int(np.nanargmin(path.test_rmse))
    assert f"{path.test_rmse[best]:.3g}" in error
    assert f"λ = {format_value(GRID[best])}" in error
    assert "2.1" in every_chart["step size"]["description"]
    assert "past" in every_chart["step size"]["description"]
    assert "pick" in every_chart["cross-validation"]["description"]
    assert "degree" in every_chart["degree"]["description"]


def test_with_state_adds_the_numbers_at_the_starting_lambda(every_chart):
    from regviz.charts.common import with_state
    from regviz.text import format_value

    fit = every_chart["fit"]
    start = with_state(fit, 40)["description"]
    assert start.startswith(fit["description"])
    assert f"λ = {format_value(GRID[40])}" in start
    assert "Closed form: train RMSE" in start
    assert with_state(fit, 40, description="Mine.")["description"] == "Mine."
    assert fit["description"] != start  # the cached template is untouched


def test_legends_draw_strokes_and_shapes(every_chart):
    """A legend that colours lines also carries their dashes (merged into one legend), or draws
    strokes; point series have their own shapes."""
    for name in ("fit", "error", "cross-validation", "bias-variance", "early stopping fit"):
        spec = every_chart[name]
        fields = {}
        for node in _walk(spec):
            encoding = node.get("encoding") if isinstance(node.get("encoding"), dict) else {}
            for channel in ("color", "strokeDash", "shape"):
                if isinstance(encoding.get(channel), dict) and encoding[channel].get("legend"):
                    fields.setdefault(encoding[channel]["field"], set()).add(channel)
        assert fields, name
        assert all({"color", "strokeDash"} <= c for c in fields.values()), (name, fields)
        legend = spec["config"]["legend"]
        assert legend["symbolStrokeWidth"] >= 2
    shapes = _series_scales(every_chart["fit"], "shape")[0]
    assert shapes["training points"] != shapes["test points"]
    assert shapes["closed form"] == shapes["gradient descent"] == "stroke"


def test_lambda_zero_is_inside_the_lambda_scale():
    """λ = 0 (and a rule there) is drawn off the y axis: the scale starts left of it."""
    from regviz.charts.common import LAM_SCALE

    low, high = LAM_SCALE.domain
    assert LAM_DOMAIN[0] - 1 < low < LAM_DOMAIN[0] - 0.2
    assert LAM_DOMAIN[1] < high


def test_the_stability_limit_rule_spans_the_plot():
    spec = _spec(step_size_chart(2.1, 2.0))
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert rule["encoding"]["y"] == {"value": 0}
    assert rule["encoding"]["y2"] == {"value": {"expr": "height"}}
    label = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "text")
    assert label["encoding"]["y"]["value"] < 10  # at the top, clear of the bar in the middle


def test_cross_validation_has_one_legend_and_dark_labels(every_chart):
    """The picks' rules and labels take their colours from the data (scale None): no second
    colour scale on "kind" (Vega-Lite drew it as a second, grey legend); labels at 4.5:1."""
    from regviz.charts.common import contrast

    spec = every_chart["cross-validation"]
    scaled = [
        channel
        for node in _walk(spec)
        for name, channel in (node.get("encoding") or {}).items()
        if name == "color" and isinstance(channel, dict) and channel.get("scale") is not None
    ]
    assert {channel["field"] for channel in scaled} == {"kind"}
    assert len({json.dumps(channel["scale"], sort_keys=True) for channel in scaled}) == 1
    colours = [
        row["text_colour"]
        for rows in spec["datasets"].values()
        for row in rows
        if isinstance(row, dict) and "text_colour" in row
    ]
    assert colours
    for colour in colours:
        assert contrast(colour) >= 4.5, colour
