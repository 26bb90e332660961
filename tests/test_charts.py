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
