"""The charts: they build, carry the current λ as one parameter, and never hold NaN or inf."""

import json
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest

from regviz.charts.coefficients import coefficient_path_chart
from regviz.charts.common import compile_spec, with_state
from regviz.charts.descent import descent_chart, step_size_chart
from regviz.charts.error import error_chart
from regviz.charts.fit import fit_chart
from regviz.compute.descent import descent_frame, run_descent
from regviz.compute.model import GRID_POINTS, build_model, curve_column, ridge_along_path, y_domain
from regviz.data import synthetic
from regviz.settings import LAMBDA_GRID

GRID = np.array(LAMBDA_GRID)


@pytest.fixture(scope="module")
def fitted():
    model = build_model(synthetic(), 9, "monomial")
    path = ridge_along_path(model, GRID)
    run = run_descent(model, 1e-3, "gd", "l2", 1.0, 1000)
    return model, path, run


def _spec(chart):
    # The fit chart carries every λ's curve (about 24,000 rows): past Altair's default limit for
    # inline data, which Streamlit does not apply.
    with alt.data_transformers.disable_max_rows():
        spec = chart.to_dict()
    json.dumps(spec, allow_nan=False)  # raises on NaN or inf anywhere in the spec or its data
    return spec


def _lam_param(spec):
    return [p for p in spec.get("params", []) if p["name"] == "lam_index"]


def _fit(fitted, index):
    model, path, run = fitted
    points = pd.DataFrame({"x": model.x_grid[:3], "y": [0.0, 1.0, 2.0], "series": "test points"})
    truth = pd.DataFrame({"x": model.x_grid, "y": model.truth_grid})
    curve = pd.DataFrame({"x": model.x_grid, "y": run.curve})
    return fit_chart(path.curves_frame, points, truth, curve, index, y_domain(model))


def test_fit_chart_holds_every_lambda_and_marks_the_current_one(fitted):
    spec = _spec(_fit(fitted, 42))
    assert _lam_param(spec) == [{"name": "lam_index", "value": 42}]
    # The whole path is data: one column per λ, and the closed-form layer reads the column the
    # parameter names.
    wide = [rows for rows in spec["datasets"].values() if rows and "c0" in rows[0]]
    assert len(wide) == 1
    assert len(wide[0]) == GRID_POINTS
    assert set(wide[0][0]) == {"x", *(curve_column(k) for k in range(len(GRID)))}
    calculated = [t for layer in spec["layer"] for t in layer.get("transform", [])]
    assert {"calculate": "datum['c' + lam_index]", "as": "y"} in calculated


def test_compiled_spec_names_its_data_and_takes_state(fitted):
    model, path, run = fitted
    placeholder = alt.NamedData(name="descent")
    template = compile_spec(
        fit_chart(path.curves_frame, _points(model), None, placeholder, 0, (-2.0, 2.0))
    )
    assert "config" not in template
    assert any(frame is path.curves_frame for frame in template["datasets"].values())
    assert "descent" not in template["datasets"]  # supplied on each rerun
    names = {layer["data"]["name"] for layer in template["layer"]}
    assert names == {*template["datasets"], "descent"}
    before = json.dumps(template, default=id, sort_keys=True)

    curve = pd.DataFrame({"x": model.x_grid, "y": run.curve})
    spec = with_state(template, 42, descent=curve)
    assert _lam_param(spec) == [{"name": "lam_index", "value": 42}]
    assert spec["datasets"]["descent"] is curve
    assert json.dumps(template, default=id, sort_keys=True) == before  # the cached one is intact
    assert _lam_param(template)[0]["value"] == 0
    # The rest is exactly the chart Altair builds at that λ.
    direct = _spec(fit_chart(path.curves_frame, _points(model), None, curve, 42, (-2, 2)))
    for ours, theirs in zip(spec["layer"], direct["layer"], strict=True):
        assert {k: v for k, v in ours.items() if k != "data"} == {
            k: v for k, v in theirs.items() if k != "data"
        }


def _points(model):
    return pd.DataFrame({"x": model.x_grid[:3], "y": [0.0, 1.0, 2.0], "series": "test points"})


def test_changing_lambda_changes_only_the_parameter(fitted):
    """The step to a curve that morphs in the browser: λ is one number in the spec."""
    a, b = _spec(_fit(fitted, 10)), _spec(_fit(fitted, 11))
    assert _lam_param(a)[0]["value"] == 10
    assert _lam_param(b)[0]["value"] == 11
    b["params"] = a["params"]
    assert a == b


def test_error_chart(fitted):
    _, path, _ = fitted
    gd = pd.DataFrame({"position": [-3.0, -3.0], "rmse": [0.1, 0.3], "set": ["train", "test"]})
    spec = _spec(error_chart(path.errors_frame, 90, path.best_test_index, gd, 1.5))
    assert _lam_param(spec)[0]["value"] == 90


def test_coefficient_path_chart(fitted):
    _, path, _ = fitted
    spec = _spec(coefficient_path_chart(path.coefs_frame, 5))
    assert _lam_param(spec)[0]["value"] == 5


def test_descent_chart_is_log_log(fitted):
    *_, run = fitted
    frame = descent_frame(run)
    spec = _spec(descent_chart(frame, "J − J*", "J − J*"))
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
    _spec(coefficient_path_chart(path.coefs_frame, 0))
    _spec(
        error_chart(
            path.errors_frame,
            0,
            path.best_test_index,
            pd.DataFrame({"position": [], "rmse": [], "set": []}),
            2.0,
        )
    )
