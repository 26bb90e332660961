"""What every view receives: the settings, the data, the model, its λ path, the page's descent run.

Built once per run of the page by :func:`build` from the cache; a view reads what it needs from
its :class:`ViewContext` and computes anything more through :meth:`ViewContext.cached`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from regviz import data
from regviz.charts.lambda_area import compile_lambda_charts
from regviz.compute import descent, model
from regviz.page import cache, upload
from regviz.settings import (
    LAMBDA_GRID,
    CacheKey,
    DescentKey,
    ModelKey,
    Settings,
)
from regviz.text import plain

LAMBDAS = np.array(LAMBDA_GRID)
LAMBDAS.setflags(write=False)


def load_dataset(key):
    """The :class:`regviz.data.Dataset` a data key names (an upload's from this session's file)."""
    return key.load(upload.table(key.digest)) if key.private else key.load()


def dataset(key):
    return cache.cached(key, lambda: load_dataset(key))


def model_and_path(key: ModelKey):
    """The model (basis matrices, one SVD) and its closed form along the whole λ grid."""

    def compute():
        built = model.build_model(dataset(key.data), key.degree, key.basis, key.intercept)
        return built, model.ridge_along_path(built, LAMBDAS)

    return cache.cached(key, compute)


def descent_run(key: DescentKey):
    def compute():
        built, _ = model_and_path(key.model)
        return descent.run_descent(built, key.lam, key.optimizer, key.penalty, key.lr, key.iters)

    return cache.cached(key, compute)


@dataclass(frozen=True)
class LambdaChartsKey(CacheKey):
    """The three λ charts compiled for one model."""

    model: ModelKey


def lambda_charts(key: ModelKey):
    """:func:`regviz.charts.lambda_area.compile_lambda_charts`, once per model."""

    def compute():
        built, path = model_and_path(key)
        return compile_lambda_charts(dataset(key.data), built, path)

    return cache.cached(LambdaChartsKey(key), compute)


@dataclass(frozen=True)
class ViewContext:
    """Everything a view needs, for one run of the page."""

    settings: Settings
    upload: tuple | None  # (digest, x, y) of this session's upload, when the data are one
    dataset: data.Dataset
    model: model.Model
    path: model.RidgePath
    run: descent.DescentRun
    domain: tuple  # the fit chart's y range

    @property
    def lam_index(self):
        return self.settings.lam_index

    @property
    def data_key(self):
        return self.settings.data_key(self.upload)

    @property
    def model_key(self):
        return self.settings.model_key(self.upload)

    def descent(self, **changes):
        """A gradient-descent run on this model: the page's own, or with ``changes`` to its
        settings (``lam``, ``optimizer``, ``penalty``, ``lr``, ``iters``)."""
        key = self.settings.descent_key(self.upload)
        if changes:
            key = DescentKey(key.model, **{f: changes.get(f, getattr(key, f)) for f in _RUN_FIELDS})
        return descent_run(key)

    def cached(self, key, compute):
        """``compute()`` remembered under ``key``; ``key.private`` must say whether its data
        are this session's own (derive it from :attr:`data_key`)."""
        return cache.cached(key, compute)


_RUN_FIELDS = ("lam", "optimizer", "penalty", "lr", "iters")


def build(settings, upload_key):
    """The context for this run, or None after saying on the page why nothing can be fitted."""
    model_key = settings.model_key(upload_key)
    try:
        shown = dataset(model_key.data)
        built, path = model_and_path(model_key)
    except data.DataError as error:
        st.warning(f"This cannot be fitted: {plain(error)}")
        return None
    charts = lambda_charts(model_key)
    return ViewContext(
        settings=settings,
        upload=upload_key,
        dataset=shown,
        model=built,
        path=path,
        run=descent_run(settings.descent_key(upload_key)),
        domain=charts.domain,
    )
