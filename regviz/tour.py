"""The "Start here" tour: a few steps through the lesson, each setting the page and saying what
its picture shows.

Each :class:`TourStep` holds settings changes from the defaults (validated like a URL, as a
:class:`regviz.presets.Preset`'s), the view it opens and a function that writes its one or two
sentences. A change may be a rule instead of a number (:func:`best_lambda`: the λ of least test
RMSE on the step's data), resolved from the step's own model and path, and every sentence is
written from the numbers of the step's picture (:class:`Picture`), never fixed: a sentence
cannot contradict the chart it describes. No Streamlit: the page passes its cached computations
as :class:`Sources`, and the tests their own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from regviz.compute import captions
from regviz.compute.degree import error_against_degree
from regviz.compute.descent import DescentRun, run_descent
from regviz.compute.model import build_model, ridge_along_path
from regviz.data import BUNDLED
from regviz.presets import Preset
from regviz.settings import ITERS, LAMBDA_GRID, Settings
from regviz.text import format_number, format_rmse, format_value

#: The live check of the "Where is L2 added?" view (``regviz.page.views.where_l2``), which the
#: L2 step states: plain descent at the page's step for at most this many steps, Adam at its
#: own rate for at least that many (a test keeps these equal to the view's).
CHECK_MAX_STEPS = 5000
ADAM_MIN_STEPS = 2000
ADAM_CHECK_RATE = 1e-2


def _model_and_path(key):
    built = build_model(key.data.load(), key.degree, key.basis, key.intercept)
    return built, ridge_along_path(built, np.array(LAMBDA_GRID))


def _descent_run(key):
    built, _ = _model_and_path(key.model)
    return run_descent(built, key.lam, key.optimizer, key.penalty, key.lr, key.iters)


@dataclass(frozen=True)
class Sources:
    """Where a step's numbers come from: the page passes its cached computations
    (``regviz.page.context``); the defaults compute them afresh (the tour's data are never an
    upload)."""

    model_and_path: Callable = _model_and_path  # ModelKey -> (Model, RidgePath)
    descent_run: Callable = _descent_run  # DescentKey -> DescentRun
    dataset: Callable = lambda key: key.load()  # data key -> Dataset
    degree_errors: Callable = lambda settings, dataset: error_against_degree(
        dataset, settings.basis, settings.intercept, settings.lam
    )


FRESH = Sources()


@dataclass(frozen=True)
class Picture:
    """What a step shows: its settings, data, model and closed-form path, and descent runs on
    them (cached by the page)."""

    settings: Settings
    dataset: object
    model: object
    path: object
    sources: Sources

    @property
    def k(self):
        """The index of the step's λ on the grid."""
        return self.settings.lam_index

    @property
    def lam(self):
        return format_value(self.settings.lam)

    @property
    def best(self):
        return self.path.best_test_index

    def run(self, **changes) -> DescentRun:
        """Gradient descent on this picture's model, with ``changes`` to its descent settings
        (``lam``, ``optimizer``, ``penalty``, ``lr``, ``iters``)."""
        return self.sources.descent_run(replace(self.settings.descent_key(), **changes))

    def rmse(self, k=None):
        """The closed form's (train, test) RMSE at λ index ``k`` (the step's λ), as printed."""
        k = self.k if k is None else k
        return format_rmse(self.path.train_rmse[k]), format_rmse(self.path.test_rmse[k])


# The rules a step's change may be: a function (settings so far, sources) -> value.


def best_lambda(settings, sources):
    """The λ of least test RMSE on these data (the error chart's "best test λ")."""
    _, path = sources.model_and_path(settings.model_key())
    if path.best_test_index is None:
        raise ValueError("the tour's data have no test points")
    return LAMBDA_GRID[path.best_test_index]


def _swings(model, curve):
    """Whether ``curve`` swings far beyond the training y (the fit sentence's threshold)."""
    y = model.y_train
    spread = float(np.ptp(y))
    beyond = max(float(np.max(curve)) - float(np.max(y)), float(np.min(y)) - float(np.min(curve)))
    return beyond > captions.SWINGS * spread / 2


def calm_lambda(settings, sources):
    """The smallest λ whose closed-form curve no longer swings far beyond the data (λ = 0's own
    when even it does not: then there are no wiggles to remove)."""
    model, path = sources.model_and_path(settings.model_key())
    for k, curve in enumerate(path.curves):
        if not _swings(model, curve):
            return LAMBDA_GRID[k]
    return LAMBDA_GRID[-1]


def enough_steps(settings, sources):
    """The fewest steps of the page's choices after which gradient descent at the best λ has
    converged (the most there are, if it never does). Every step of the tour runs this many, so
    that descent is computed once for the whole tour and stepping never changes it."""
    lam = best_lambda(settings, sources)
    run = sources.descent_run(replace(settings.descent_key(), lam=lam, iters=ITERS[-1]))
    if not run.result.converged:
        return ITERS[-1]
    return next(n for n in ITERS if n >= run.result.n_iter)


@dataclass(frozen=True)
class TourStep:
    """One step: settings changes from the defaults (values or rules), the view it opens (a
    slug of ``regviz.page.views.VIEWS``) and ``say(picture) -> str``."""

    slug: str
    title: str
    changes: dict
    view: str | None
    say: Callable[[Picture], str]

    def settings(self, sources=FRESH):
        """The step's settings: the defaults with its changes, validated like a URL; rules
        resolved in order on the settings before them."""
        fixed = {name: value for name, value in self.changes.items() if not callable(value)}
        settings = Preset("Start here", self.title, fixed, "", self.view).settings()
        for name, rule in self.changes.items():
            if callable(rule):
                settings = dataclasses.replace(settings, **{name: rule(settings, sources)})
        return settings

    def picture(self, sources=FRESH):
        settings = self.settings(sources)
        model, path = sources.model_and_path(settings.model_key())
        return Picture(settings, sources.dataset(settings.data_key()), model, path, sources)


def step_text(step, sources=FRESH):
    """The step's sentences, from the numbers of its picture."""
    return step.say(step.picture(sources))


# What each step says.


def _say_overfit(p):
    train, test = p.rmse()
    n = p.model.y_train.shape[0]
    spread = float(np.ptp(p.model.y_train))
    through = p.path.train_rmse[p.k] <= captions.INTERPOLATES * spread
    shape = (
        f"passes through all {n} training points"
        if through
        else f"follows the {n} training points without passing through every one"
    )
    if _swings(p.model, p.path.curves[p.k]):
        shape += " and swings far beyond them"
    text = (
        f"At λ = {p.lam} the degree-{p.settings.degree} curve {shape}: train RMSE {train}, "
        f"test RMSE {test}."
    )
    ratio = float(p.path.test_rmse[p.k] / p.path.test_rmse[p.best])
    if ratio > 1 + captions.MATTERS:
        text += (
            f" That is {ratio:.2g} times the least test RMSE along λ: the curve has learnt "
            "the noise of these points (overfitting)."
        )
    return text


def _say_calm(p):
    train, test = p.rmse()
    norms = np.linalg.norm(p.path.coefs, axis=1)
    if p.k == 0:
        return (
            f"Even at λ = 0 the curve does not swing far beyond the data: train RMSE {train}, "
            f"test RMSE {test}."
        )
    zero_train, zero_test = p.rmse(0)
    return (
        f"λ = {p.lam} is the smallest λ whose curve no longer swings far beyond the data: ‖w‖ "
        f"falls from {format_number(norms[0])} at λ = 0 to {format_number(norms[p.k])} "
        f"(Coefficients, below). Train RMSE rises from {zero_train} to {train}, test RMSE "
        f"{'falls' if p.path.test_rmse[p.k] < p.path.test_rmse[0] else 'goes'} from "
        f"{zero_test} to {test}."
    )


def _say_best(p):
    train, test = p.rmse()
    facts = captions.error_facts(p.path)
    text = f"The test RMSE is least at λ = {p.lam}: {test} (train RMSE {train})"
    if facts.best_kind == "inside":
        _, at_zero = p.rmse(0)
        _, at_largest = p.rmse(len(LAMBDA_GRID) - 1)
        text += (
            f", against {at_zero} at λ = 0 and {at_largest} at λ = {format_value(LAMBDA_GRID[-1])}."
        )
    else:
        text += f"; along λ it is {facts.best_kind} (Error against λ)."
    return text + (
        " The test points take no part in the fit, they only measure it: that is how they can "
        "choose λ (Cross-validation chooses without them)."
    )


def _say_underfit(p):
    train, test = p.rmse()
    best_train, best_test = p.rmse(p.best)
    spread = float(np.ptp(p.model.y_train))
    flat = float(np.ptp(p.path.curves[p.k])) <= captions.FLAT * spread
    higher = (
        p.path.train_rmse[p.k] > p.path.train_rmse[p.best]
        and p.path.test_rmse[p.k] > p.path.test_rmse[p.best]
    )
    shape = "is nearly flat" if flat else "is pulled toward a constant"
    text = f"At λ = {p.lam} the penalty outweighs the data: the curve {shape}"
    if higher:
        text += (
            f" and both errors are above the best λ's: train RMSE {train} (against "
            f"{best_train}), test RMSE {test} (against {best_test}). That is underfitting."
        )
    else:
        text += f": train RMSE {train}, test RMSE {test}."
    return text


def _say_descent(p):
    run = p.run()
    closed = format_rmse(p.path.test_rmse[p.k])
    descent = format_rmse(run.test_rmse)
    if run.result.converged:
        text = f"At λ = {p.lam} gradient descent converged after {run.result.n_iter:,} steps: "
    else:
        text = f"At λ = {p.lam} gradient descent has not converged after {run.result.n_iter:,} "
        text += "steps: "
    same = "equals" if descent == closed else "is near" if run.result.converged else "is"
    text += f"its test RMSE {descent} {same} the closed form's {closed}."
    early = p.run(lam=0.0)
    needed = early.steps_needed
    if early.result.converged or not np.isfinite(needed):
        return text
    early_test, exact_test = format_rmse(early.test_rmse), format_rmse(p.path.test_rmse[0])
    text += (
        f" At λ = 0 it would need about {format_number(needed)} steps; stopped after "
        f"{early.result.n_iter:,} its test RMSE is {early_test}, not the closed form's "
        f"{exact_test}"
    )
    if early.test_rmse < p.path.test_rmse[0] * (1 - captions.MATTERS):
        text += ": stopping early acts like a penalty (Early stopping)"
    return text + "."


def _say_l2(p):
    settings = p.settings
    iters = min(settings.iters, CHECK_MAX_STEPS)
    in_loss = p.run(optimizer="gd", penalty="l2", iters=iters)
    as_decay = p.run(optimizer="gd", penalty="decoupled", iters=iters)
    adam_iters = max(iters, ADAM_MIN_STEPS)
    adam = p.run(optimizer="adam", penalty="l2", lr=ADAM_CHECK_RATE, iters=adam_iters)
    adamw = p.run(optimizer="adam", penalty="decoupled", lr=ADAM_CHECK_RATE, iters=adam_iters)
    tiny = np.finfo(float).tiny
    w = in_loss.result.coef
    same = float(np.linalg.norm(w - as_decay.result.coef)) / max(float(np.linalg.norm(w)), tiny)
    ridge = max(float(np.linalg.norm(p.path.coefs[p.k])), tiny)
    apart = float(np.linalg.norm(adam.result.coef - adamw.result.coef)) / ridge
    steps = "takes the same steps" if same < 1e-10 else "takes nearly the same steps"
    text = (
        f"At λ = {p.lam} plain gradient descent with 2λw in the gradient (L2 in the loss) "
        f"{steps} as with weight decay: after {in_loss.result.n_iter:,} steps their weights "
        f"differ by {format_value(same)} of their size."
    )
    if apart > captions.MATTERS:
        text += (
            " Adam divides the gradient, 2λw included, by its running size: Adam with L2 and "
            f"AdamW end {apart:.2g} of ridge's ‖w‖ apart, two different regularizers."
        )
    else:
        text += f" Adam with L2 and AdamW end within {apart:.2g} of ridge's ‖w‖ here."
    return text


def _say_next(p):
    frame = p.sources.degree_errors(p.settings, p.dataset)
    test = frame[frame["set"] == "test"]
    at_zero = test[test["lam_label"] == "λ = 0"].set_index("degree")["rmse"]
    current = test[test["lam_label"] == "current λ"].set_index("degree")["rmse"]
    degree = p.settings.degree
    best_degree = int(at_zero.idxmin())
    text = (
        f"Error against degree: without a penalty the test RMSE is least at degree "
        f"{best_degree} ({format_rmse(at_zero[best_degree])}) and {format_rmse(at_zero[degree])} "
        f"at degree {degree}"
    )
    if degree in current.index:
        text += f"; λ = {p.lam} brings degree {degree} to {format_rmse(current[degree])}"
    names = ", ".join(info.label.split(":")[0] for info in BUNDLED.values())
    return text + (
        f". Next, in the sidebar: the presets (Bishop's figures), real data ({names}) or a CSV "
        "of your own."
    )


STEPS = (
    TourStep(
        "overfit",
        "Overfitting: degree 9, no penalty",
        {"degree": 9, "lam": 0, "iters": enough_steps},
        "coefficients",
        _say_overfit,
    ),
    TourStep(
        "add-lambda",
        "A little λ removes the wiggles",
        {"degree": 9, "lam": calm_lambda, "iters": enough_steps},
        "coefficients",
        _say_calm,
    ),
    TourStep(
        "best",
        "The best λ and the test set",
        {"degree": 9, "lam": best_lambda, "iters": enough_steps},
        "cross-validation",
        _say_best,
    ),
    TourStep(
        "underfit",
        "Too much λ underfits",
        {"degree": 9, "lam": LAMBDA_GRID[-1], "iters": enough_steps},
        "coefficients",
        _say_underfit,
    ),
    TourStep(
        "descent",
        "Gradient descent against the closed form",
        {"degree": 9, "lam": best_lambda, "iters": enough_steps},
        "descent",
        _say_descent,
    ),
    TourStep(
        "l2",
        "Where L2 is added: the loss or the update",
        {"degree": 9, "lam": best_lambda, "iters": enough_steps},
        "l2",
        _say_l2,
    ),
    TourStep(
        "next",
        "What to try next",
        {"degree": 9, "lam": best_lambda, "iters": enough_steps},
        "degree",
        _say_next,
    ),
)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}

__all__ = [
    "FRESH",
    "STEPS",
    "STEPS_BY_SLUG",
    "Picture",
    "Sources",
    "TourStep",
    "best_lambda",
    "calm_lambda",
    "enough_steps",
    "step_text",
]
