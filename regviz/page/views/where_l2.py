"""Where is L2 added? The objective, its gradient's 2λw, L2 in the loss against weight decay
(the same for plain gradient descent, not for Adam: that is AdamW), checked live on this data,
and this λ in the conventions students meet."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from regviz.compute import captions
from regviz.compute.conventions import translate
from regviz.page.widgets import numbers_table
from regviz.solvers import OPTIMIZERS
from regviz.text import format_number, format_value

#: The live check's runs: plain descent at the page's step (1/L for Adam's page), Adam at its own.
CHECK_MAX_STEPS = 5000
ADAM_MIN_STEPS = 2000
ADAM_CHECK_RATE = 1e-2


def formulas():
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


def draw(ctx):
    """The formulas (the same at every λ); the container for the live check at λ."""
    formulas()
    return st.container()


def render(ctx, box):
    """The live check at the current λ, below the formulas."""
    with box:
        live_check(ctx)


def live_check(ctx):
    """Plain descent with L2 in the loss against weight decay, Adam against AdamW, at this λ;
    the weights side by side; this λ in other conventions."""
    settings = ctx.settings
    adaptive = OPTIMIZERS[settings.optimizer].adaptive
    check_lr = 1.0 if adaptive else settings.lr
    check_iters = min(settings.iters, CHECK_MAX_STEPS)
    in_loss = ctx.single_run(optimizer="gd", penalty="l2", lr=check_lr, iters=check_iters)
    as_decay = ctx.single_run(optimizer="gd", penalty="decoupled", lr=check_lr, iters=check_iters)
    adam_lr = settings.lr if adaptive else ADAM_CHECK_RATE
    adam_iters = max(check_iters, ADAM_MIN_STEPS)
    adam = ctx.single_run(optimizer="adam", penalty="l2", lr=adam_lr, iters=adam_iters)
    adamw = ctx.single_run(optimizer="adam", penalty="decoupled", lr=adam_lr, iters=adam_iters)
    ridge_w = ctx.path.coefs[ctx.lam_index]
    scale = max(float(np.linalg.norm(in_loss.result.coef)), np.finfo(float).tiny)
    same = float(np.linalg.norm(in_loss.result.coef - as_decay.result.coef)) / scale
    st.markdown("**Live check on this data, at this λ**")
    c1, c2, c3 = st.columns(3)
    c1.metric(
        f"GD: L2 in the loss vs decay ({in_loss.result.n_iter:,} steps)",
        format_value(same),
        help="‖w_loss − w_decay‖ / ‖w_loss‖: equal up to rounding, about 1e-16 per step.",
    )
    adam_distance = float(np.linalg.norm(adam.result.coef - ridge_w))
    adamw_distance = float(np.linalg.norm(adamw.result.coef - ridge_w))
    c2.metric(
        f"Adam + L2: distance to ridge ({adam.result.n_iter:,} steps, η = {adam_lr:g})",
        format_value(adam_distance),
    )
    c3.metric("AdamW: distance to ridge", format_value(adamw_distance))
    if settings.lam == 0:
        st.info(
            "At λ = 0 there is no penalty, so all of these coincide: move λ to see Adam "
            "and AdamW part ways."
        )
    else:
        apart = float(np.linalg.norm(adam.result.coef - adamw.result.coef)) / max(
            float(np.linalg.norm(ridge_w)), np.finfo(float).tiny
        )
        st.caption(captions.l2_check_sentence(same, apart, adam_distance, adamw_distance))
    if ctx.model.n_features == 0:
        st.caption("This model has no weights to compare (degree 0 with a free intercept).")
    else:
        weights_table(ctx, ridge_w, adam, adamw)
    conventions_table(settings.lam, int(ctx.model.y_train.shape[0]))


def weights_table(ctx, ridge_w, adam, adamw):
    compare = pd.DataFrame(
        {
            "ridge (closed form)": ridge_w,
            "Adam, L2 in the loss": adam.result.coef,
            "AdamW, decoupled decay": adamw.result.coef,
        },
        index=list(ctx.model.feature_names),
    )
    numbers_table(st, compare)


def conventions_table(lam, n_train):
    st.markdown(f"**This λ in other conventions** (N = {n_train} training points)")
    rows = translate(lam, n_train)
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
