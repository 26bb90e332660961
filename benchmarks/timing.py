"""Median-of-repeats timing, interleaved so that two contenders see the same machine load."""

from __future__ import annotations

import statistics
import time


def compare(contenders, repeats=15, warmup=2):
    """Time each callable in ``contenders`` (name -> fn) ``repeats`` times, interleaved.

    Returns name -> median seconds.
    """
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    samples = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def report(title, medians, baseline, goal=None):
    """Print medians and the speed-up of every contender over ``baseline``."""
    print(f"\n{title}")
    for name, seconds in medians.items():
        print(f"  {name:<44} {seconds * 1e3:10.3f} ms")
    for name, seconds in medians.items():
        if name != baseline:
            ratio = medians[baseline] / seconds
            verdict = ""
            if goal is not None:
                verdict = f"  (goal >= {goal:g}x: {'met' if ratio >= goal else 'MISSED'})"
            print(f"  speed-up of {name} over {baseline}: {ratio:.1f}x{verdict}")
