"""regviz: why L2 regularization prevents overfitting. Run with ``streamlit run app.py``.

The only module that imports Streamlit. Widgets produce one :class:`regviz.state.Settings`;
everything shown is computed by ``regviz`` from it, cached on its small hashable parts.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.dataframe_util import convert_anything_to_arrow_bytes as arrow_bytes

from regviz import charts, experiments, state
from regviz.conventions import format_number, format_value, translate
from regviz.data import synthetic

st.set_page_config(page_title="regviz: L2 regularization", page_icon="📉", layout="wide")

VIEWS = ("Coefficients", "Gradient descent", "Where is L2 added?")


# ----------------------------------------------------------------------------------------------
# Cached computations: keyed on small tuples of settings, bounded, read-only results.
# ----------------------------------------------------------------------------------------------


@st.cache_resource(max_entries=32, show_spinner=False)
def load_dataset(data_key):
    _dataset, fn, n, noise, seed, spacing, ntest = data_key
    return synthetic(fn=fn, n=n, noise=noise, seed=seed, spacing=spacing, n_test=ntest)


@st.cache_resource(max_entries=32, show_spinner=False)
def load_model(model_key):
    """Basis matrices, one SVD and the closed form along the whole λ grid."""
    *data_key, degree, basis, intercept = model_key
    model = experiments.build_model(load_dataset(tuple(data_key)), degree, basis, intercept)
    return model, experiments.ridge_along_path(model, state.LAMBDA_GRID)


def as_arrow(spec):
    """The spec with its datasets as Arrow bytes, which Streamlit sends as they are."""
    datasets = spec["datasets"].items()
    return spec | {"datasets": {name: arrow_bytes(frame) for name, frame in datasets}}


@st.cache_resource(max_entries=32, show_spinner=False)
def load_chart_specs(model_key):
    """The three λ charts compiled once per model (Altair's build and validation are the
    costliest part of a rerun); a rerun only sets λ and the gradient-descent data in them."""
    *data_key, _degree, _basis, _intercept = model_key
    data = load_dataset(tuple(data_key))
    model, path = load_model(model_key)
    points = pd.concat(
        [
            pd.DataFrame({"x": data.x_train, "y": data.y_train, "series": "training points"}),
            pd.DataFrame({"x": data.x_test, "y": data.y_test, "series": "test points"}),
        ]
    )
    truth = (
        None
        if model.truth_grid is None
        else pd.DataFrame({"x": model.x_grid, "y": model.truth_grid})
    )
    domain = experiments.y_domain(model)
    descent = alt.NamedData(name="descent")
    fit = charts.fit_chart(path.curves_frame, points, truth, descent, 0, domain)
    y_max = 1.3 * max(
        float(path.test_rmse[-1]),
        float(path.train_rmse[-1]),
        float(path.test_rmse[path.best_test_index]),
    )
    errors = charts.error_chart(path.errors_frame, 0, path.best_test_index, descent, y_max)
    coefficients = charts.coefficient_path_chart(path.coefs_frame, 0)
    return {
        "fit": as_arrow(charts.compile_spec(fit)),
        "error": as_arrow(charts.compile_spec(errors)),
        "coefficients": as_arrow(charts.compile_spec(coefficients)),
        "domain": domain,
        "error_y_max": y_max,
    }


@st.cache_resource(max_entries=64, show_spinner=False)
def load_descent(model_key, lam, optimizer, penalty, lr, iters):
    model, _ = load_model(model_key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the run's flags say it all, on the page
        return experiments.run_descent(model, lam, optimizer, penalty, lr, iters)


# ----------------------------------------------------------------------------------------------
# Settings: the URL on a session's first run, the widgets after; always validated, always in the URL
# ----------------------------------------------------------------------------------------------


def current_settings():
    """Validate the session's settings (from the URL on its first run) before widgets draw."""
    ss = st.session_state
    if "_started" not in ss:
        query = st.query_params.to_dict()
        view = query.pop("view", VIEWS[0])
        settings, notices = state.parse(query)
        if view not in VIEWS:
            notices.append(f"`view`: not one of {', '.join(VIEWS)}; using {VIEWS[0]}.")
            view = VIEWS[0]
        ss["view"] = view
        ss["_started"] = True
        # The link's notices stay until the student changes a setting, then they are history.
        ss["_notices"] = (settings, notices)
    else:
        settings, _ = state.parse({k: ss[k] for k in state.KEYS if k in ss})
    for name, value in asdict(settings).items():
        if ss.get(name) != value or name not in ss:
            ss[name] = value
    return settings


def on_optimizer_change():
    st.session_state["lr"] = state.default_learning_rate(st.session_state["optimizer"])


def format_rmse(value):
    """RMSE for the metrics: four decimals (an interpolating fit shows 0.0000, not 6e-14)."""
    return f"{value:.4f}" if value < 1e4 else f"{value:.4g}"


def table_height(rows):
    """Pixels that show ``rows`` rows and the header without scrolling, up to 20 rows."""
    return 35 * (min(rows, 20) + 1) + 3


def lambda_label(lam):
    if lam == 0:
        return "0"
    return f"{lam:.1e}  (ln λ = {math.log(lam):.1f})"


def choice(container, label, name, radio=False, **kwargs):
    """A selectbox (or horizontal radio) over the options of setting ``name``, labelled."""
    widget = container.radio if radio else container.selectbox
    if radio:
        kwargs["horizontal"] = True
    labels = state.CHOICE_LABELS[name]
    return widget(label, tuple(labels), key=name, format_func=labels.get, **kwargs)


def sidebar(settings):
    """All controls but λ. Each widget's key is its URL parameter."""
    sb = st.sidebar
    sb.header("Data")
    choice(sb, "Dataset", "dataset", help="Real datasets and uploads arrive in a later version.")
    choice(sb, "True function", "fn", help="t = 2x − 1 is x scaled to [−1, 1].")
    sb.number_input("Training points N", *state.INT_BOUNDS["n"], step=1, key="n")
    sb.slider("Noise σ", *state.REAL_BOUNDS["noise"], step=0.05, key="noise")
    sb.number_input("Seed", *state.INT_BOUNDS["seed"], step=1, key="seed")
    choice(sb, "x spacing", "spacing", radio=True)
    sb.number_input("Test points", *state.INT_BOUNDS["ntest"], step=10, key="ntest")
    sb.header("Model")
    sb.slider("Polynomial degree", *state.INT_BOUNDS["degree"], key="degree")
    choice(
        sb,
        "Basis",
        "basis",
        help="monomial: tᵏ with x scaled to t in [−1, 1]; Legendre: orthonormal polynomials "
        "(best conditioned); raw: xᵏ, Bishop's (badly conditioned). The penalty acts on the "
        "weights of this basis, so the basis changes the fit at every λ > 0.",
    )
    choice(
        sb,
        "Intercept",
        "intercept",
        radio=True,
        help="free: b is not penalised (scikit-learn). penalised: w0 is a weight like the "
        "others (Bishop).",
    )
    sb.header("Gradient descent")
    choice(sb, "Optimizer", "optimizer", on_change=on_optimizer_change)
    choice(sb, "L2 added to", "penalty", radio=True)
    if settings.optimizer == "adam":
        sb.select_slider("Learning rate η", state.ADAM_RATES, key="lr", format_func="{:g}".format)
    else:
        sb.select_slider(
            "Step size η, in units of 1/L",
            state.LR_MULTIPLES,
            key="lr",
            format_func="{:g}/L".format,
            help="L is the largest curvature of the objective. Plain gradient "
            "descent is stable below 2/L.",
        )
    sb.select_slider("Steps", state.ITERS, key="iters", format_func="{:,}".format)


# ----------------------------------------------------------------------------------------------
# The page
# ----------------------------------------------------------------------------------------------


settings = current_settings()
sidebar(settings)
st.title("Why L2 regularization prevents overfitting")
st.caption(
    "A polynomial fitted to noisy points two ways: the exact ridge solution and gradient "
    "descent on the same objective  J(w, b) = Σᵢ (yᵢ − wᵀφ(xᵢ) − b)² + λ‖w‖².  Move λ."
)
notice_box = st.container()
st.select_slider(
    "λ, the weight of the penalty", state.LAMBDA_GRID, key="lam", format_func=lambda_label
)
settings = current_settings()  # λ as the slider now holds it
linked_settings, link_notices = st.session_state.get("_notices", (None, []))
if settings == linked_settings:
    for notice in link_notices:
        notice_box.warning(f"Link: {notice}", icon="🔗")
st.query_params.from_dict(state.to_query(settings) | {"view": st.session_state["view"]})

model, path = load_model(settings.model_key())
run = load_descent(
    settings.model_key(),
    settings.lam,
    settings.optimizer,
    settings.penalty,
    settings.lr,
    settings.iters,
)
i = settings.lam_index
specs = load_chart_specs(settings.model_key())
domain = specs["domain"]

metric_columns = st.columns(5)
metric_columns[0].metric("Closed form: train RMSE", format_rmse(path.train_rmse[i]))
metric_columns[1].metric("Closed form: test RMSE", format_rmse(path.test_rmse[i]))
flag = " (diverged)" if run.result.diverged else ""
metric_columns[2].metric("Gradient descent: train RMSE", format_rmse(run.train_rmse) + flag)
metric_columns[3].metric("Gradient descent: test RMSE", format_rmse(run.test_rmse) + flag)
metric_columns[4].metric(
    "Best test λ",
    format_value(path.lams[path.best_test_index]),
    help=f"test RMSE {path.test_rmse[path.best_test_index]:.4f}",
)

kappa = model.condition_number(settings.lam)
if kappa > 1e12:
    digits = max(0, int(16 - math.log10(kappa)))
    st.warning(
        f"The {settings.basis} basis at degree {settings.degree} is ill-conditioned at this λ "
        f"(condition number {kappa:.1e}): the closed-form weights carry about {digits} correct "
        "digits, though the fitted curve is still accurate. The legendre basis or a larger λ "
        "avoids this."
    )
if settings.lam == 0 and model.n_features + model.fit_intercept >= model.y_train.shape[0]:
    st.info(
        f"{model.n_features + model.fit_intercept} parameters for {model.y_train.shape[0]} "
        "training points: at λ = 0 the fit passes through every training point (the least-norm "
        "one among many when there are more parameters than points)."
    )

left, right = st.columns(2)
with left:
    st.subheader("The fit")
    gd_curve = pd.DataFrame({"x": model.x_grid, "y": run.curve})
    st.vega_lite_chart(charts.with_state(specs["fit"], i, descent=gd_curve), width="stretch")
    outside = []
    for name, curve in (("closed-form fit", path.curves[i]), ("gradient-descent fit", run.curve)):
        extreme = experiments.leaves_frame(curve, domain)
        if extreme is not None:
            outside.append(f"the {name} leaves the frame (it reaches {extreme:.3g})")
    st.caption(
        "Notice: with small λ the degree-"
        f"{settings.degree} curve bends to pass near every training point and swings between "
        "them; as λ grows it smooths out, and at large λ it flattens toward the mean."
        + (" Here " + " and ".join(outside) + "." if outside else "")
    )
with right:
    st.subheader("Error against λ")
    y_max = specs["error_y_max"]
    position = float(experiments.lambda_position(state.LAMBDA_GRID)[i])
    gd_points = pd.DataFrame(
        {
            "position": [position, position],
            "rmse": [run.train_rmse, run.test_rmse],
            "set": ["train", "test"],
        }
    )
    st.vega_lite_chart(charts.with_state(specs["error"], i, descent=gd_points), width="stretch")
    clipped = float(path.test_rmse.max()) > y_max
    st.caption(
        "Notice: training error only grows with λ, test error falls and then rises: too little "
        "penalty overfits, too much underfits (Bishop's Figure 1.8). Diamonds: gradient descent "
        "at the current λ."
        + (
            f" The test error reaches {path.test_rmse.max():.3g} at small λ, above the frame."
            if clipped
            else ""
        )
    )

tabs = st.tabs(list(VIEWS), key="view", on_change="rerun")
coef_tab, gd_tab, l2_tab = tabs

with coef_tab:
    if coef_tab.open:
        table_col, path_col = st.columns([2, 3])
        with table_col:
            st.markdown(
                f"**Weights at λ = {format_value(settings.lam)}**, {settings.basis} basis "
                "(the penalty acts on these numbers)"
            )
            rows = {"closed form": path.coefs[i], "gradient descent": run.result.coef}
            table = pd.DataFrame(rows, index=list(model.feature_names))
            if model.fit_intercept:
                table.loc["b (free)"] = [path.intercepts[i], run.result.intercept]
            table.loc["‖w‖"] = [np.linalg.norm(path.coefs[i]), np.linalg.norm(run.result.coef)]
            st.dataframe(
                table.style.format("{:.4g}"), width="stretch", height=table_height(len(table))
            )
        with path_col:
            st.vega_lite_chart(charts.with_state(specs["coefficients"], i), width="stretch")
        st.caption(
            "Notice: without the penalty the weights are huge and of alternating sign; the curve "
            "is the small difference of large terms, so it can swing wildly between points. L2 "
            "shrinks every weight smoothly toward 0, and ‖w‖ (black) never grows with λ."
        )

with gd_tab:
    if gd_tab.open:
        result = run.result
        cols = st.columns(4)
        cols[0].metric("Steps run", f"{result.n_iter:,}")
        limit = run.limit_multiple
        cols[1].metric(
            "Step size η·L",
            f"{run.step_multiple:.3g}",
            help="In units of 1/L. Stable below "
            + (f"{limit:.3g}" if math.isfinite(limit) else "any value for Adam"),
        )
        kappa_label = "Condition number κ (on the range)" if run.singular else "Condition number κ"
        cols[2].metric(
            kappa_label,
            format_number(result.condition_number),
            help="L/μ: the largest curvature of the objective over the smallest"
            + (
                ". The Hessian is singular (λ = 0 and more parameters than the data pin down): "
                "descent from 0 never moves along its null space and goes to the least-norm "
                "minimiser, so κ counts the curvatures it does see."
                if run.singular
                else "."
            ),
        )
        needed = experiments.steps_needed(result.condition_number, 1e-6, settings.optimizer)
        rule = "√κ·ln 10⁶" if settings.optimizer in ("momentum", "nesterov") else "κ·ln 10⁶"
        cols[3].metric(
            f"Steps for 10⁻⁶ (≈ {rule})",
            "—" if settings.optimizer == "adam" else format_number(round(needed)),
            help="A rule of thumb for step size 1/L; Adam has no such rule."
            if settings.optimizer == "adam"
            else "A rule of thumb for step size 1/L.",
        )
        distance = float(result.trace.distance[-1])
        gap = float(result.trace.suboptimality[-1])
        if result.diverged:
            if math.isfinite(limit):
                reason = (
                    f"the step size {run.step_multiple:.3g}/L is past the stability limit "
                    f"{limit:.3g}/L, so every step overshoots the minimum along the steepest "
                    "direction by more than it corrects, and the error grows geometrically"
                )
            else:
                reason = "the iterates overflowed: the learning rate is too large for this problem"
            st.error(
                f"Diverged at step {result.n_iter:,}: {reason}. The last finite iterate is shown."
            )
        elif result.converged:
            st.success(
                f"Converged after {result.n_iter:,} steps: distance to the closed form "
                f"{distance:.1e}, J − J* = {gap:.1e}."
            )
        else:
            st.warning(
                f"Not converged after {result.n_iter:,} steps: distance to the closed form "
                f"{distance:.2e}, J − J* = {gap:.2e}. Stopped early, gradient descent is a "
                "regularizer of its own: it has not yet grown the weights along the "
                "low-curvature directions that the closed form uses to fit the noise."
            )
        if math.isfinite(limit):
            st.altair_chart(charts.step_size_chart(run.step_multiple, limit), width="stretch")
        frame = experiments.descent_frame(run)
        c1, c2 = st.columns(2)
        c1.altair_chart(
            charts.descent_chart(frame, "J − J*", "J − J* (objective above its minimum)"),
            width="stretch",
        )
        c2.altair_chart(
            charts.descent_chart(frame, "‖θ − θ*‖", "‖θ − θ*‖ (distance to the closed form)"),
            width="stretch",
        )
        st.caption(
            "Notice: plain gradient descent needs about κ·ln(1/ε) steps; the penalty adds λ to "
            "every curvature, so a larger λ lowers κ and speeds it up. Past η = 2/L it diverges."
        )

with l2_tab:
    if l2_tab.open:
        st.markdown("**The objective and its gradient**")
        st.latex(
            r"J(w, b) = \sum_i \bigl(y_i - w^\top\phi(x_i) - b\bigr)^2 + \lambda\,\lVert w"
            r"\rVert^2"
        )
        st.latex(
            r"\nabla_w J = \underbrace{2\,\Phi^\top(\Phi w + b - y)}_{\nabla L_\text{data}}"
            r" + \underbrace{2\lambda w}_{\text{from } \lambda \lVert w \rVert^2}"
        )
        st.markdown("**L2 in the loss** (gradient descent with step η):")
        st.latex(r"w \leftarrow w - \eta\,\bigl(\nabla L_\text{data} + 2\lambda w\bigr)")
        st.markdown("**The same step, rewritten as weight decay:**")
        st.latex(r"w \leftarrow (1 - 2\eta\lambda)\,w - \eta\,\nabla L_\text{data}")
        st.markdown(
            "For plain gradient descent the two are the same algorithm. For Adam they are not: "
            "Adam divides each gradient by its running size, so an L2 term in the loss is "
            "divided too, while AdamW applies the decay outside that division."
        )
        check_lr = settings.lr if settings.optimizer != "adam" else 1.0
        check_iters = min(settings.iters, 5000)
        in_loss = load_descent(
            settings.model_key(), settings.lam, "gd", "l2", check_lr, check_iters
        )
        as_decay = load_descent(
            settings.model_key(), settings.lam, "gd", "decoupled", check_lr, check_iters
        )
        adam_lr = settings.lr if settings.optimizer == "adam" else 1e-2
        adam_iters = max(check_iters, 2000)
        adam = load_descent(settings.model_key(), settings.lam, "adam", "l2", adam_lr, adam_iters)
        adamw = load_descent(
            settings.model_key(), settings.lam, "adam", "decoupled", adam_lr, adam_iters
        )
        ridge_w = path.coefs[i]
        scale = max(float(np.linalg.norm(in_loss.result.coef)), np.finfo(float).tiny)
        same = float(np.linalg.norm(in_loss.result.coef - as_decay.result.coef)) / scale
        st.markdown("**Live check on this data, at this λ**")
        c1, c2, c3 = st.columns(3)
        c1.metric(
            f"GD: L2 in the loss vs decay ({in_loss.result.n_iter:,} steps)",
            format_value(same),
            help="‖w_loss − w_decay‖ / ‖w_loss‖: equal up to rounding, about 1e-16 per step.",
        )
        c2.metric(
            f"Adam + L2: distance to ridge ({adam.result.n_iter:,} steps, η = {adam_lr:g})",
            format_value(np.linalg.norm(adam.result.coef - ridge_w)),
        )
        c3.metric(
            "AdamW: distance to ridge", format_value(np.linalg.norm(adamw.result.coef - ridge_w))
        )
        if settings.lam == 0:
            st.info(
                "At λ = 0 there is no penalty, so all of these coincide: move λ to see Adam "
                "and AdamW part ways."
            )
        else:
            st.caption(
                "Notice: plain gradient descent gives the same weights either way. Adam with L2 "
                "in the loss and AdamW end at different weights, and AdamW's are not ridge's: "
                "weight decay in AdamW is a different regularizer from L2."
            )
        compare = pd.DataFrame(
            {
                "ridge (closed form)": ridge_w,
                "Adam, L2 in the loss": adam.result.coef,
                "AdamW, decoupled decay": adamw.result.coef,
            },
            index=list(model.feature_names),
        )
        st.dataframe(
            compare.style.format("{:.4g}"), width="stretch", height=table_height(len(compare))
        )
        st.markdown(
            f"**This λ in other conventions** (N = {model.y_train.shape[0]} training points)"
        )
        rows = translate(settings.lam, int(model.y_train.shape[0]))
        # A static table: it wraps the long explanations instead of cutting them off.
        st.table(
            pd.DataFrame(
                {
                    "setting": [r.setting for r in rows],
                    "value": [format_number(r.value) for r in rows],
                    "loss and penalty": [r.note for r in rows],
                },
                index=pd.Index([r.where for r in rows], name="where"),
            )
        )
