"""The three charts that follow λ, compiled once per model: the fit, error against λ, and the
coefficient path. A rerun sets the current λ and the gradient-descent data in them
(:func:`regviz.charts.common.with_state`)."""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import pandas as pd

from regviz.charts.coefficients import coefficient_path_chart
from regviz.charts.common import as_arrow, compile_spec
from regviz.charts.error import error_chart
from regviz.charts.fit import fit_chart
from regviz.compute.model import y_domain

#: The named dataset each rerun supplies: gradient descent's curve (fit) or errors (error chart).
DESCENT = "descent"


@dataclass(frozen=True)
class LambdaCharts:
    """Compiled Vega-Lite specs (datasets as Arrow tables) and the scales they were drawn on."""

    fit: dict
    error: dict
    coefficients: dict
    domain: tuple  # the fit chart's y range
    error_y_max: float  # the error chart's top; larger errors are clipped


def error_axis_top(path):
    """The error chart's top: 1.3 times the largest error worth seeing (training error at the
    largest λ, test error there and at the best λ); 1 when every fit is exact."""
    best = path.best_test_index
    tops = [path.train_rmse[-1]]
    if best is not None:
        tops += [path.test_rmse[-1], path.test_rmse[best]]
    top = 1.3 * max(float(value) for value in tops)
    return top if top > 0 else 1.0


def compile_lambda_charts(dataset, model, path):
    """The three λ charts for ``model`` (built from ``dataset``) and its ``path``."""
    points = pd.concat(
        [
            pd.DataFrame({"x": dataset.x_train, "y": dataset.y_train, "series": "training points"}),
            pd.DataFrame({"x": dataset.x_test, "y": dataset.y_test, "series": "test points"}),
        ]
    )
    truth = (
        None
        if model.truth_grid is None
        else pd.DataFrame({"x": model.x_grid, "y": model.truth_grid})
    )
    domain = y_domain(model)
    descent = alt.NamedData(name=DESCENT)
    fit = fit_chart(
        path.curves_frame, points, truth, descent, 0, domain, model.x_label, model.y_label
    )
    y_max = error_axis_top(path)
    errors = error_chart(path.errors_frame, 0, path.best_test_index, descent, y_max)
    coefficients = coefficient_path_chart(path.coefs_frame, 0)
    return LambdaCharts(
        fit=as_arrow(compile_spec(fit)),
        error=as_arrow(compile_spec(errors)),
        coefficients=as_arrow(compile_spec(coefficients)),
        domain=domain,
        error_y_max=y_max,
    )
