"""Numbers and untrusted text as the page writes them. No Streamlit: the page and its tests share
these, so a number on the page can be compared with the number computed.

:func:`plain` is the one way text from outside (a file's name, a column's header, a CSV's
cells, anything from a URL) reaches Markdown: every path the page writes such text goes through
it, error messages included.
"""

from __future__ import annotations

import math
import re

__all__ = ["format_number", "format_rmse", "format_value", "lambda_label", "plain"]


def format_value(v: float) -> str:
    """Render ``v`` compactly in e-notation with up to 4 significant digits, for display.

    Trailing zeros of the mantissa are dropped; 0 is ``"0"``, infinities are ``"∞"`` and ``"-∞"``
    and NaN is ``"nan"``.

    Examples
    --------
    >>> format_value(1e-06), format_value(0.000123456), format_value(2.0), format_value(0.0)
    ('1e-06', '1.235e-04', '2e+00', '0')
    >>> format_value(float("-inf"))
    '-∞'
    """
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if v == 0:
        return "0"
    mantissa, exponent = f"{v:.3e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{exponent}"


def format_number(v: float) -> str:
    """Render ``v`` for reading: plain from 1e-3 to 1e6 (4 significant digits, or a whole number
    with thousands separators from 1000), else as :func:`format_value` (e-notation).

    Examples
    --------
    >>> format_number(45.678), format_number(2.0), format_number(15536.2), format_number(1.2e34)
    ('45.68', '2', '15,536', '1.2e+34')
    >>> format_number(0.0), format_number(float("inf"))
    ('0', '∞')
    """
    v = float(v)
    if math.isfinite(v) and 1e-3 <= abs(v) < 1e6:
        return f"{v:,.0f}" if abs(v) >= 1e3 else f"{v:.4g}"
    return format_value(v)


def format_rmse(value):
    """An RMSE for the metrics: four decimals (an interpolating fit shows 0.0000, not 6e-14),
    four significant digits from 1e4, and a dash where there is none (no test points).

    Examples
    --------
    >>> format_rmse(0.31234567), format_rmse(123456.0), format_rmse(float("nan"))
    ('0.3123', '1.235e+05', '—')
    """
    value = float(value)
    if not math.isfinite(value):
        return "—"
    return f"{value:.4f}" if value < 1e4 else f"{value:.4g}"


def lambda_label(lam):
    """λ as the slider shows it: ``0``, or e-notation beside its natural log (Bishop's axis).

    Examples
    --------
    >>> lambda_label(0.0), lambda_label(1e-6)
    ('0', '1.0e-06  (ln λ = -13.8)')
    """
    if lam == 0:
        return "0"
    return f"{lam:.1e}  (ln λ = {math.log(lam):.1f})"


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$&:=\"'])")


def plain(text):
    r"""``text`` (untrusted: a file or column name, a cell, a URL value) shown literally in
    Markdown: one line, every character that Markdown, HTML or LaTeX could read as markup
    escaped with a backslash, so no link, image, tag or formula is created from it.

    Examples
    --------
    >>> print(plain("![s](http://host/x.png) <b>$x$"))
    \!\[s\]\(http\://host/x\.png\) \<b\>\$x\$
    """
    text = " ".join(str(text).split())
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
