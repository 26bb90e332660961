"""The sentences the page writes about its pictures, computed from the numbers it draws.

A fixed caption can contradict its chart (a degree-0 "curve that bends through every point", a
"best λ" on a flat error curve). Here every sentence that states a fact about the current
picture is decided by the numbers: each function first measures the facts (small named
thresholds below), then says only what they support. numpy in, strings out; the facts are
returned too, so that tests can check them against references of their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from regviz.text import format_value

#: A fit "passes through every training point" when its training RMSE is below this share of
#: the training y's spread.
INTERPOLATES = 1e-6
#: A curve "swings" when it reaches this many times the data's half-range beyond the data.
SWINGS = 1.0
#: A curve is "nearly flat" when its range is below this share of the data's range.
FLAT = 0.05
#: A change "matters" when it is at least this relative size (1 %).
MATTERS = 0.01


def _spread(values):
    values = np.asarray(values, dtype=np.float64)
    return float(values.max() - values.min()) if values.size else 0.0


def _roughness(curve):
    """How much a curve drawn on an even grid bends: the sum of its squared second
    differences (the discrete ∫ f''² of smoothing splines)."""
    return float(np.sum(np.diff(np.asarray(curve, dtype=np.float64), 2) ** 2))


@dataclass(frozen=True)
class FitFacts:
    """What the closed form does along λ on these data."""

    degree: int
    constant: bool  # no weight depends on x (degree 0): every fit is a constant
    free_intercept: bool  # the constant is not penalised
    interpolates_at_zero: bool  # λ = 0 passes through every training point
    swings_at_zero: bool  # ... and swings far beyond the data between them
    smoother_at_largest: bool  # the largest λ's curve bends less than λ = 0's (Σ Δ²f smaller)
    flat_at_largest: bool  # the largest λ's curve is nearly flat


def fit_facts(model, path):
    """:class:`FitFacts` of the closed form on ``model`` along ``path`` (λ = 0 first)."""
    y = model.y_train
    spread = max(_spread(y), np.finfo(float).tiny)
    lo, hi = float(np.min(y)), float(np.max(y))
    at_zero = path.curves[0]
    beyond = max(float(at_zero.max()) - hi, lo - float(at_zero.min()), 0.0)
    return FitFacts(
        degree=model.degree,
        constant=model.degree == 0,
        free_intercept=bool(model.fit_intercept),
        interpolates_at_zero=bool(path.train_rmse[0] <= INTERPOLATES * spread),
        swings_at_zero=bool(beyond > SWINGS * spread / 2),
        smoother_at_largest=bool(_roughness(path.curves[-1]) < _roughness(at_zero)),
        flat_at_largest=bool(_spread(path.curves[-1]) <= FLAT * spread),
    )


def fit_sentence(facts, largest_lam):
    """What the fit chart shows as λ runs, from :class:`FitFacts`."""
    if facts.constant:
        if facts.free_intercept:
            return (
                "Notice: a degree-0 model is a constant, and its free intercept is not "
                "penalised: every fit is the mean of the training y, whatever λ."
            )
        return (
            "Notice: a degree-0 model is a constant; here it is a penalised weight, so λ pulls "
            "it from the mean of the training y toward 0."
        )
    parts = []
    if facts.interpolates_at_zero and facts.swings_at_zero:
        parts.append(
            f"at λ = 0 the degree-{facts.degree} curve passes through every training point and "
            "swings far beyond the data between them"
        )
    elif facts.interpolates_at_zero:
        parts.append(
            f"at λ = 0 the degree-{facts.degree} curve passes through every training point"
        )
    elif facts.swings_at_zero:
        parts.append(f"at λ = 0 the degree-{facts.degree} curve swings far beyond the data")
    else:
        parts.append(
            f"at λ = 0 the degree-{facts.degree} curve follows the data without passing through "
            "every point"
        )
    if facts.smoother_at_largest:
        parts.append(
            "as λ grows the penalty shrinks the weights, and at the largest λ the curve bends "
            "less than at λ = 0"
        )
    else:
        parts.append("as λ grows the penalty shrinks the weights")
    if facts.flat_at_largest:
        parts.append(f"at λ = {format_value(largest_lam)} it is nearly flat")
    return "Notice: " + "; ".join(parts) + "."


@dataclass(frozen=True)
class ErrorFacts:
    """What the test error does along λ."""

    has_test: bool
    best_index: int | None  # the λ of least test error
    best_kind: str  # "inside" (a U), "at zero" (no penalty is best), "at the largest", "flat"
    drop: float  # how much the best beats λ = 0, relative (0.25: 25 % lower)
    rise: float  # how much the largest λ is worse than the best, relative


def error_facts(path):
    """:class:`ErrorFacts` of ``path``'s test error (λ = 0 first, the largest last)."""
    test = np.asarray(path.test_rmse, dtype=np.float64)
    if not np.isfinite(test).any():
        return ErrorFacts(False, None, "none", 0.0, 0.0)
    best = int(np.nanargmin(test))
    low = float(test[best])
    scale = max(low, np.finfo(float).tiny)
    drop = (float(test[0]) - low) / scale
    rise = (float(test[-1]) - low) / scale
    if drop < MATTERS and rise < MATTERS:
        kind = "flat"
    elif best == 0 or drop < MATTERS:
        kind = "at zero"
    elif best == len(test) - 1 or rise < MATTERS:
        kind = "at the largest"
    else:
        kind = "inside"
    return ErrorFacts(True, best, kind, drop, rise)


def marks_best(facts):
    """Whether the error chart marks a "best test λ": only a real one, inside the grid."""
    return facts.best_kind == "inside"


def error_sentence(facts, lams, test_rmse):
    """What the error chart shows, from :class:`ErrorFacts` and the test RMSE it was measured on."""
    head = "Notice: training error only grows with λ (the penalty trades fit for small weights). "
    if not facts.has_test:
        return head + "There are no test points, so there is no test error to compare."
    best = format_value(lams[facts.best_index])
    low, at_zero = float(test_rmse[facts.best_index]), float(test_rmse[0])
    if facts.best_kind == "inside":
        return head + (
            f"The test error is {at_zero:.3g} at λ = 0, least ({low:.3g}) at λ = {best} and "
            f"{float(test_rmse[-1]):.3g} at the largest λ: too little penalty overfits, too much "
            "underfits (Bishop's Figure 1.8)."
        )
    if facts.best_kind == "flat":
        return head + (
            "The test error hardly changes with λ here (within 1 % of its least everywhere): "
            "with this degree and these data there is little for the penalty to change."
        )
    if facts.best_kind == "at zero":
        if facts.best_index == 0:
            where = "least without a penalty"
        else:
            where = (
                f"least at λ = {best}, but within 1 % of λ = 0's ({low:.3g} against {at_zero:.3g})"
            )
        return head + (
            f"The test error is {where}: this model does not overfit these data much (try a "
            "higher degree, fewer training points or more noise)."
        )
    return head + (
        f"The test error is least at the largest λ ({low:.3g} at λ = {best}, against "
        f"{at_zero:.3g} at λ = 0): on these data even the largest penalty does not underfit."
    )


def cross_validation_sentence(picks):
    """How cross-validation's picks compare with the test error's best λ.

    ``picks``: DataFrame (kind, lam, ...) as :func:`regviz.compute.cross_validation.
    cross_validation` returns it.
    """
    rows = {row.kind: float(row.lam) for row in picks.itertuples()}
    if "test" not in rows:
        return "Cross-validation never looks at test points; here there are none to compare with."
    target = rows["test"]
    parts = []
    for kind in ("leave-one-out", "k-fold"):
        if kind not in rows:
            continue
        lam = rows[kind]
        decades = _decades_apart(lam, target)
        if decades <= 1.0:
            parts.append(
                f"{kind} picks λ = {format_value(lam)}, within a decade of the test error's"
            )
        else:
            parts.append(
                f"{kind} picks λ = {format_value(lam)}, {decades:.1f} decades from the test error's"
            )
    return (
        f"Notice: cross-validation never looks at the test points (their best λ is "
        f"{format_value(target)}): " + "; ".join(parts) + "."
    )


def dof_sentence(dof, model):
    """What df(λ) shows: the parameters the fit uses at λ = 0 (the design's rank, plus the free
    intercept) against those it has, and at the largest λ. ``dof``: DataFrame (lam_index,
    position, dof), λ = 0 first."""
    values = dof["dof"].to_numpy(dtype=np.float64)
    parameters = model.n_features + int(model.fit_intercept)
    at_zero, at_largest = float(values[0]), float(values[-1])
    if at_zero >= parameters - 0.5:
        used = f"all {parameters} parameters at λ = 0"
    else:
        used = f"{at_zero:.3g} of its {parameters} parameters at λ = 0 (the data pin down no more)"
    return (
        "Leave-one-out costs no refitting: one SVD gives it for every λ. df(λ), the trace of the "
        f"hat matrix, counts the parameters the fit really uses: {used}, {at_largest:.3g} at "
        "the largest λ."
    )


def _decades_apart(a, b):
    """How many decades separate two λ (λ = 0 counts as one decade below the grid's smallest)."""
    floor = 1e-13
    return abs(math.log10(max(a, floor)) - math.log10(max(b, floor)))


def coefficients_sentence(path, fit):
    """What the coefficient path shows: how large and how alternating the weights are without a
    penalty (and, when the λ = 0 curve swings, that it is a small difference of large terms:
    ``fit`` is the :class:`FitFacts`), and whether ‖w‖ ever grows with λ."""
    coefs = np.asarray(path.coefs, dtype=np.float64)
    if coefs.shape[1] == 0:
        return "This model has no weights: a constant, which λ does not act on."
    norms = np.linalg.norm(coefs, axis=1)
    largest = float(np.abs(coefs[0]).max())
    signs = np.sign(coefs[0][np.abs(coefs[0]) > 1e-12 * max(largest, 1e-300)])
    flips = int(np.count_nonzero(signs[1:] != signs[:-1])) if signs.size > 1 else 0
    grows = bool(np.any(np.diff(norms) > 1e-9 * norms[:-1]))
    shrink = float(norms[0] / max(norms[-1], np.finfo(float).tiny))
    parts = [f"without a penalty the largest weight is {format_value(largest)}"]
    if signs.size > 2 and flips == signs.size - 1:
        parts[-1] += " and the signs alternate from each weight to the next"
    elif signs.size > 2 and flips >= (signs.size - 1) / 2:
        parts[-1] += (
            f" and the signs are mixed ({flips} changes of sign along {signs.size} weights)"
        )
    if fit.swings_at_zero and largest > 10 * max(np.abs(path.curves[0]).max(), 1.0):
        parts.append(
            "the curve is the small difference of large terms, which is how it swings so far "
            "between points"
        )
    norm_text = "never grows with λ" if not grows else "grows somewhere along λ (rounding)"
    parts.append(
        f"‖w‖ (black) {norm_text}, and shrinks {shrink:.3g}-fold from λ = 0 to the largest λ"
    )
    return "Notice: " + "; ".join(parts) + "."


def descent_sentence(optimizer_label, limit_multiple, condition_numbers, free_intercept=True):
    """What the descent view says of speed: κ falls as λ grows (measured along the grid), the
    step size past which this optimizer diverges, and how the free intercept is handled."""
    kappa = np.asarray(condition_numbers, dtype=np.float64)
    falls = bool(np.all(np.diff(kappa) <= 1e-9 * kappa[:-1]))
    parts = [
        f"the penalty adds 2λ to every curvature, so κ {'falls' if falls else 'changes'} from "
        f"{format_value(kappa[0])} at λ = 0 to {format_value(kappa[-1])} at the largest λ"
    ]
    if math.isfinite(limit_multiple):
        parts.append(f"{optimizer_label} diverges past η = {limit_multiple:.3g}/L")
    else:
        parts.append(f"{optimizer_label} has no stability limit: its steps are bounded by η")
    text = "Notice: " + "; ".join(parts) + "."
    if free_intercept:
        text += (
            " Descent moves the weights w; the free intercept is solved exactly at every step, "
            "b = ȳ − x̄·w, as scikit-learn's Ridge does, so both fits reach the same minimiser."
        )
    return text


def bias_variance_sentence(decomposition, resamples, n):
    """What the decomposition shows between λ = 0 and the largest λ, and how close bias² +
    variance + noise comes to the measured test error along the whole grid.

    ``decomposition``: DataFrame (lam_index, position, quantity, value) as
    :attr:`regviz.compute.bias_variance.BiasVariance.decomposition`.
    """
    table = decomposition.pivot(index="lam_index", columns="quantity", values="value")
    first, last = table.iloc[0], table.iloc[-1]
    parts = [f"{resamples} training sets of {n} points, each fitted at this λ"]
    if first["variance"] > last["variance"]:
        parts.append(
            f"variance falls from {first['variance']:.3g} at λ = 0 to {last['variance']:.3g} "
            "at the largest λ (the fits agree)"
        )
    else:
        parts.append(
            f"variance is {first['variance']:.3g} at λ = 0 and {last['variance']:.3g} at the "
            "largest λ"
        )
    if last["bias²"] > first["bias²"]:
        parts.append(
            f"bias² grows from {first['bias²']:.3g} to {last['bias²']:.3g} (the fits are all "
            "too flat)"
        )
    total, test = table["bias² + variance + noise"], table["test error"]
    gap = float(np.max(np.abs(total - test) / np.maximum(test, np.finfo(float).tiny)))
    parts.append(
        f"bias² + variance + noise (on a grid of x) is within {gap:.0%} of the test error "
        "measured on fresh test points, at every λ (Bishop's Figures 3.5 and 3.6)"
    )
    return "Notice: " + "; ".join(parts) + "."


def degree_sentence(frame):
    """What the error against degree shows, from its frame (degree, set, lam_label, rmse)."""
    at_zero = frame[frame["lam_label"] == "λ = 0"]
    train = at_zero[at_zero["set"] == "train"].set_index("degree")["rmse"]
    test = at_zero[at_zero["set"] == "test"].set_index("degree")["rmse"]
    parts = []
    train_falls = len(train) > 1 and bool(
        np.all(np.diff(train.to_numpy()) <= 1e-9 * (1 + train.to_numpy()[:-1]))
    )
    if train_falls:
        parts.append("at λ = 0 (dashed) the training error only falls as the degree grows")
    if len(test) > 2:
        best = int(test.idxmin())
        worst_after = float(test[test.index > best].max()) if (test.index > best).any() else 0.0
        if worst_after > 2 * float(test.min()):
            parts.append(
                f"the test error is least at degree {best} and then rises "
                f"{worst_after / float(test.min()):.3g}-fold"
                + (" as the polynomial chases the noise" if train_falls else "")
                + " (Bishop's Figure 1.5)"
            )
        else:
            parts.append(
                f"the test error is least at degree {best} and stays within twice that at "
                "higher degrees"
            )
    current = frame[(frame["lam_label"] == "current λ") & (frame["set"] == "test")]
    current = current.set_index("degree")["rmse"]
    common = current.index.intersection(test.index)
    if len(common):
        top = int(common.max())
        now, before = float(current[top]), float(test[top])
        if now < before / 2:
            parts.append(
                f"at degree {top} the current λ (solid) brings the test error down to "
                f"{now:.3g} from {before:.3g} at λ = 0: the penalty, not the degree, controls "
                "the complexity"
            )
    if not parts:
        return "Training and test error against the degree, at λ = 0 (dashed) and the current λ."
    return "Notice: " + "; ".join(parts) + "."


def early_stopping_sentence(matches, chosen):
    """Which ridge λ the chosen step matches, and whether later steps match smaller λ."""
    steps = matches["step"].to_numpy()
    lam_index = matches["lam_index"].to_numpy()
    # "Later steps match smaller λ": the matched λ index never rises along the steps and falls
    # overall (a rank statement, like the test's Spearman correlation; no correlation of a
    # constant sequence).
    later_smaller = bool(
        len(steps) > 2 and np.all(np.diff(lam_index) <= 0) and lam_index[-1] < lam_index[0]
    )
    text = (
        f"Gradient descent from w = 0 on the unpenalised loss (λ = 0, step 1/L). At step "
        f"{chosen['step']:,} its weights are nearest the ridge solution for "
        f"λ = {format_value(chosen['lam'])}."
    )
    if later_smaller:
        text += (
            " Notice: the longer it runs, the smaller the λ it matches (the dashed line is "
            "1/(2ηt)): stopping early is a regularizer too."
        )
    return text


def l2_check_sentence(same_relative, adam_apart, adam_distance, adamw_distance):
    """What the live check measured.

    ``same_relative``: ‖w_loss − w_decay‖ / ‖w_loss‖ for plain descent; ``adam_apart``:
    ‖w_Adam+L2 − w_AdamW‖ / ‖w_ridge‖; the distances of each from ridge's weights.
    """
    parts = []
    if same_relative < 1e-10:
        parts.append(
            f"plain gradient descent gives the same weights either way (they differ by "
            f"{format_value(same_relative)} of their size: rounding)"
        )
    else:
        parts.append(
            f"here plain gradient descent's two runs differ by {format_value(same_relative)} of "
            "their size"
        )
    if adam_apart > MATTERS:
        parts.append(
            f"Adam with L2 in the loss and AdamW end at different weights ({adam_apart:.2g} of "
            f"ridge's ‖w‖ apart; {format_value(adam_distance)} and "
            f"{format_value(adamw_distance)} from ridge's): decoupled weight decay is a "
            "different regularizer from L2"
        )
    else:
        parts.append(
            f"Adam with L2 in the loss and AdamW end within {adam_apart:.2g} of ridge's ‖w‖ of "
            "each other here"
        )
    return "Notice: " + "; ".join(parts) + "."


@dataclass(frozen=True)
class DescentFacts:
    """Where gradient descent stands at one λ, against the closed form drawn beside it."""

    steps: int  # steps taken (its stop: converged, diverged, or the step budget)
    budget: int  # the page's step count
    converged: bool
    diverged: bool
    steps_needed: float  # to converge at this step size; inf: never; NaN: no rule
    step_multiple: float  # the step size times L
    limit_multiple: float  # the stability limit times L (inf: no limit, Adam)
    nearest_lam: float  # the closed form's λ whose curve is nearest descent's curve
    nearest_gap: float  # that curve's RMS distance from descent's, over the data's spread
    converged_from: float | None  # descent converged at every λ from this one up, else None


def descent_facts(path, descent, k, spread):
    """:class:`DescentFacts` at grid index ``k``. ``path``: the closed form along the grid;
    ``descent``: gradient descent along the same grid
    (:class:`regviz.compute.descent.DescentPath`); ``spread``: the training y's range (the
    scale of "near")."""
    curve = descent.curves[k]
    tiny = np.finfo(float).tiny
    gaps = np.sqrt(np.mean((path.curves - curve) ** 2, axis=1)) / max(spread, tiny)
    nearest = int(np.argmin(gaps))
    converged = np.asarray(descent.converged, dtype=bool)
    # The smallest λ from which descent converged at every larger λ of the grid.
    misses = np.flatnonzero(~converged)
    start = 0 if misses.size == 0 else int(misses[-1]) + 1
    return DescentFacts(
        steps=int(descent.n_iter[k]),
        budget=int(descent.iters),
        converged=bool(converged[k]),
        diverged=bool(descent.diverged[k]),
        steps_needed=float(descent.steps_needed[k]),
        step_multiple=float(descent.step_multiple[k]),
        limit_multiple=float(descent.limit_multiple),
        nearest_lam=float(path.lams[nearest]),
        nearest_gap=float(gaps[nearest]),
        converged_from=float(path.lams[start]) if start < len(converged) else None,
    )


def count_words(count):
    """A large count as a student reads it: 25,811; 220 million; 3.1 billion."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if count >= size:
            value = count / size
            return f"{value:,.0f} {word}" if value >= 10 else f"{value:.1f} {word}"
    return f"{count:,.0f}"


def descent_fit_sentence(facts):
    """Why the two curves of the fit differ (or agree) at this λ, from :class:`DescentFacts`:
    the first thing the page says under the fit."""
    if facts.diverged:
        limit = (
            f" (its step {facts.step_multiple:.3g}/L is past the stability limit "
            f"{facts.limit_multiple:.3g}/L)"
            if math.isfinite(facts.limit_multiple)
            else ""
        )
        return (
            f"Gradient descent diverged at step {facts.steps:,}{limit}: its curve is not a fit. "
            "A step size below the limit converges."
        )
    if facts.converged:
        return (
            f"Gradient descent converged in {facts.steps:,} steps: its curve lies on the closed "
            "form's."
        )
    text = f"Gradient descent has taken {facts.budget:,}"
    if math.isfinite(facts.steps_needed) and facts.steps_needed > facts.budget:
        text += f" of the about {count_words(facts.steps_needed)} steps it needs at this λ"
    else:
        text += " steps and has not converged at this λ"
    if facts.nearest_gap <= MATTERS:
        text += (
            ". Stopped early, its curve is nearest the closed form's at "
            f"λ = {format_value(facts.nearest_lam)}: stopping early acts like a penalty"
        )
    text += "."
    if facts.converged_from is not None:
        text += (
            f" From λ = {format_value(facts.converged_from)} up it converges within "
            f"{facts.budget:,} steps and lies on the closed form."
        )
    return text + " ▶ Play descent to watch it move."


def quiet_until(path, spread):
    """The first λ of the grid whose closed-form curve has moved visibly from λ = 0's (an RMS
    change of :data:`MATTERS` of the training y's range ``spread``), or None when it never
    does. Below it the λ control moves nothing the eye can see."""
    change = np.sqrt(np.mean((path.curves - path.curves[0]) ** 2, axis=1))
    moved = np.flatnonzero(change > MATTERS * max(spread, np.finfo(float).tiny))
    return float(path.lams[moved[0]]) if moved.size else None


def quiet_sentence(first_visible, smallest_positive):
    """Why the first part of the λ control's travel changes nothing (or an empty string when
    the curve moves from the grid's first positive λ)."""
    if first_visible is None:
        return (
            "On these data the closed-form curve barely changes along the whole λ range "
            "(by less than 1 % of the data's range)."
        )
    if first_visible <= smallest_positive * 10:  # moves within the first decade
        return ""
    return (
        f"Below λ = {format_value(first_visible)} the closed-form curve barely changes from "
        "λ = 0's (by less than 1 % of the data's range): there the penalty is tiny next to the "
        "squared errors."
    )
