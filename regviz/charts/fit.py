"""The fit: training and test points, the true function, the closed form and gradient descent at
the current λ and step, with both fits' errors in the title, all redrawn in the browser."""

from __future__ import annotations

import altair as alt

from regviz.charts.common import (
    LAM_PARAM,
    LINE_WIDTH,
    LOOKS,
    STEP_PARAM,
    film_key_expr,
    lam_param,
    legend,
    look_scales,
    step_param,
    styled,
    text_colour,
    vega_text,
)

#: The named datasets of the fit chart (regviz.compute.lambda_area makes them).
BASIS, CLOSED, FILM_CURVES, FILM_ERRORS, READOUTS = (
    "basis",
    "closed",
    "film_curves",
    "film_errors",
    "readouts",
)


def _curve_from_coordinates(r, lo, hi):
    """``y = Σ_j u_j z_j``, clamped far outside the frame (the mark clips at the frame)."""
    total = " + ".join(f"datum.u{j} * datum.z{j}" for j in range(r)) or "0"
    return f"clamp({total}, {lo!r}, {hi!r})"


def _rmse_text(field):
    """A Vega expression: an RMSE as the page writes it (4 decimals; 4 significant digits from
    1e4, where a wild fit's errors go)."""
    return f"(abs({field}) < 1e4 ? format({field}, '.4f') : format({field}, '.4~g'))"


def readout_lines(steps, has_test):
    """The readouts' two lines, computed in the browser from the current λ and step: the closed
    form's errors, then gradient descent's at the film's step (and whether it diverged)."""
    n_steps = len(steps)
    closed = f"data({vega_text(READOUTS)})[{LAM_PARAM}]"
    film = f"data({vega_text(FILM_ERRORS)})[{film_key_expr(n_steps)}]"
    step = f"{list(map(int, steps))}[{STEP_PARAM}]"
    test_closed = f" + ', test ' + {_rmse_text(closed + '.closed_test')}" if has_test else ""
    closed_line = (
        f"'closed form: train RMSE ' + {_rmse_text(closed + '.closed_train')}{test_closed}"
    )
    stopped = f"{closed}.n_iter"
    diverged = f"({closed}.diverged && {step} >= {stopped})"
    # Short enough for a phone's chart: "diverged" replaces the step, and a diverged run's
    # errors (meaningless digits) keep 4 significant digits.
    numbers = f"': train ' + {_rmse_text(film + '.train')}"
    if has_test:
        numbers += f" + ', test ' + {_rmse_text(film + '.test')}"
    rough = f"': train ' + format({film}.train, '.4~g')"
    if has_test:
        rough += f" + ', test ' + format({film}.test, '.4~g')"
    film_line = (
        f"({diverged} ? 'descent diverged at step ' + format({stopped}, ',') + {rough} : "
        f"'descent, step ' + format(min({step}, {stopped}), ',') + {numbers})"
    )
    return closed_line, film_line


def fit_chart(
    points,
    truth,
    basis_columns,
    steps,
    domain,
    has_test,
    lam_index=0,
    step_index=None,
    x_title="x",
    y_title="y",
    height=360,
    band=100.0,
    description=None,
):
    """Training and test points, the true function, the closed form and gradient descent.

    Parameters
    ----------
    points : DataFrame (x, y, series)
        ``series`` is "training points" or "test points".
    truth : DataFrame (x, y) or None
    basis_columns : int
        How many grid-basis columns the curves have (``u0 ..``; coordinates ``z0 ..``).
    steps : array of int
        The film's checkpoint steps (``step_index`` indexes them).
    domain : (float, float)
        The y range; curves are clipped to it (and clamped ``band`` spans beyond it).
    has_test : bool
        Whether the readouts show test errors.

    The curves are read from named datasets (:data:`BASIS`, :data:`CLOSED`, :data:`FILM_CURVES`,
    :data:`FILM_ERRORS`, :data:`READOUTS`; see :mod:`regviz.compute.lambda_area`), looked up by
    the chart's two parameters ``lam_index`` and ``step_index``. ``description``: the chart's
    text alternative (:func:`fit_description`); by default what it draws, without numbers.
    """
    names = ["training points", "test points"]
    if truth is not None:
        names.append("true function")
    names += ["closed form", "gradient descent"]
    color, dash, shape = look_scales(names, legend=legend(names, columns=2))
    n_steps = len(steps)
    lam = lam_param(lam_index)
    step = step_param(n_steps - 1 if step_index is None else step_index, n_steps)
    lo, hi = domain
    span = (hi - lo) * band
    curve = _curve_from_coordinates(basis_columns, lo - span, hi + span)
    z = [f"z{j}" for j in range(basis_columns)]
    y = alt.Y("y:Q", title=y_title, scale=alt.Scale(domain=list(domain), nice=False))
    x = alt.X("x:Q", title=x_title, scale=alt.Scale(zero=False))
    # Test points under the curves, training points over them (what the fit bends toward).
    size = 60 if len(points) <= 300 else 25
    tooltip = [alt.Tooltip("x:Q", format=".4g"), alt.Tooltip("y:Q", format=".4g"), "series:N"]

    def scatter(series, opacity):
        return (
            alt.Chart(points[points["series"] == series])
            .mark_point(size=size, opacity=opacity, filled=True, clip=True)
            .encode(x, y, color, shape, tooltip=tooltip)
        )

    def rebuilt(source, key, series, **mark):
        return (
            alt.Chart(alt.NamedData(name=BASIS))
            .transform_calculate(key=key)
            .transform_lookup(
                lookup="key",
                from_=alt.LookupData(data=alt.NamedData(name=source), key="key", fields=z),
            )
            .transform_calculate(y=curve, series=vega_text(series))
            .mark_line(clip=True, strokeWidth=LINE_WIDTH, **mark)
            .encode(x, y, color, dash)
        )

    layers = [scatter("test points", 0.75)]
    if truth is not None:
        layers.append(
            alt.Chart(truth.assign(series="true function"))
            .mark_line(clip=True, strokeWidth=LINE_WIDTH)
            .encode(x, y, color, dash)
        )
    layers.append(rebuilt(CLOSED, LAM_PARAM, "closed form"))
    layers.append(rebuilt(FILM_CURVES, film_key_expr(n_steps), "gradient descent"))
    layers.append(scatter("training points", 1.0))
    # Both fits' errors above the plot, read with data(...) at the current λ and step. A dataset
    # exists in the browser only if a layer draws from it: the readouts' own rows feed the text.
    closed_line, film_line = readout_lines(steps, has_test)
    for row, (series, text) in enumerate(
        (("closed form", closed_line), ("gradient descent", film_line))
    ):
        layers.append(
            alt.Chart(alt.NamedData(name=READOUTS if row == 0 else FILM_ERRORS))
            .transform_filter(f"datum.key == {LAM_PARAM if row == 0 else film_key_expr(n_steps)}")
            .transform_calculate(text=text, series=vega_text(series))
            .mark_text(
                align="left", baseline="middle", dx=0, color=text_colour(LOOKS[series].colour)
            )
            .encode(x=alt.value(0), y=alt.value(-38 + 19 * row), text="text:N")
        )
    chart = (
        alt.layer(*layers)
        .add_params(lam, step)
        .properties(height=height, padding={"top": 50, "left": 5, "right": 5, "bottom": 5})
    )
    if description is None:
        n_train = int((points["series"] == "training points").sum())
        description = fit_description(n_train, len(points) - n_train, truth is not None)
    return styled(chart, description)


def fit_description(n_train, n_test, has_truth, facts=""):
    """The fit chart's text alternative: what it draws, then ``facts`` (its numbers)."""
    drawn = f"{n_train} training points" + (f" and {n_test} test points" if n_test else "")
    truth = ", the true function (green, dotted)" if has_truth else ""
    return (
        f"The fit: {drawn}{truth}, the closed-form ridge fit (blue, solid) and gradient "
        f"descent's fit (vermillion, dashed) at the current λ. {facts}"
    ).strip()
