"""Read the CSV file a student uploads: forgiving about its format, strict about its content.

:func:`read_csv` takes what spreadsheets export (commas, semicolons or tabs; decimal points or
decimal commas; UTF-8, UTF-16 or Latin-1; a header row or none) and returns the file's numeric
columns as float64, every value finite. Anything it cannot turn into such a table becomes a
:class:`DataError` whose message tells the student, in plain words, what is wrong and what to
do. No other exception leaves :func:`read_csv`.

No Streamlit here: numpy, pandas and the standard library only.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import os
import re
from collections import Counter

import numpy as np
import pandas as pd

__all__ = [
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_LINE_CHARS",
    "MAX_UPLOAD_TEXT",
    "DataError",
    "read_csv",
]

#: Largest file accepted, in bytes (at most ``MAX_BYTES + 1`` bytes are ever read): 10 MB as the
#: browser's uploader counts them (``server.maxUploadSize = 10`` in .streamlit/config.toml, in
#: its decimal megabytes), one number everywhere (:data:`MAX_UPLOAD_TEXT`).
MAX_BYTES = 10_000_000
#: How the page and the messages name :data:`MAX_BYTES`.
MAX_UPLOAD_TEXT = "10 MB (10,000,000 bytes)"
#: Longest line accepted, in characters (checked before parsing).
MAX_LINE_CHARS = 100_000
#: Most columns accepted.
MAX_COLUMNS = 1_000
#: Non-empty lines looked at to choose the separator.
SNIFF_LINES = 50
#: A column is numeric when at least this share of its non-empty cells are numbers or markers
#: of a missing value ("NA", "nan", "inf", ...)...
NUMERIC_SHARE = 0.8
#: ... and at least this share of its rows hold a finite number.
FILLED_SHARE = 0.5
#: Header names are cut to this many characters.
NAME_LENGTH = 60

SEPARATORS = (",", ";", "\t")
#: Cells (stripped, lower-cased) that mean "no value". Infinite numbers count as missing too.
MISSING_TOKENS = frozenset(
    {
        "-",
        "--",
        "?",
        ".",
        "na",
        "n/a",
        "n.a.",
        "nan",
        "-nan",
        "+nan",
        "null",
        "none",
        "missing",
        "inf",
        "+inf",
        "-inf",
        "infinity",
        "+infinity",
        "-infinity",
        "#n/a",
        "#na",
        "#div/0!",
        "#value!",
        "#num!",
        "#ref!",
        "#name?",
        "#null!",
    }
)

# Numbers as spreadsheets write them. Digits may be grouped in threes by a thousands separator
# (the other of "," and ".", or a space, no-break space or narrow no-break space).
_SPACES = " \u00a0\u202f"
_DOT_NUMBER = (
    rf"[+-]?(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d+)(?:\.\d*)?|\.\d+)"
    r"(?:[eE][+-]?\d+)?"
)
_COMMA_NUMBER = (
    rf"[+-]?(?:(?:\d{{1,3}}(?:\.\d{{3}})+|\d{{1,3}}(?:[{_SPACES}]\d{{3}})+|\d+)(?:,\d*)?|,\d+)"
    r"(?:[eE][+-]?\d+)?"
)
# A lookahead, not "[\d.,]*\d[\d.,]*": that backtracks quadratically on long digit strings.
_NUMBERISH = re.compile(r"[+-]?(?=[\d.,]*\d)[\d.,]+(?:[eE][+-]?\d+)?")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f]")
_TOO_MANY_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_EOF_IN_QUOTE = re.compile(r"EOF inside string starting at row (\d+)")
_SAFE_NAME = re.compile(r"[\w .()\-]{1,60}")

_SAVE_AS_CSV = (
    "In your spreadsheet program use “Save as” (or “Download”), choose CSV, and upload that file."
)
_LOG = logging.getLogger(__name__)
_GENERIC = (
    "The file could not be read as a table of numbers. Save it from your spreadsheet program "
    "as CSV (comma-separated values) and try again."
)


class DataError(ValueError):
    """A file that cannot be used, with a message written for the student who chose it."""


def read_csv(source):
    """Read a CSV file into a table of its numeric columns.

    Parameters
    ----------
    source : str, pathlib.Path, bytes or binary file-like
        A path to the file, the file's bytes, or an open binary file. Objects with a
        ``getbuffer`` or ``getvalue`` method (``io.BytesIO`` and Streamlit's ``UploadedFile``,
        which subclasses it) are read whole, whatever their current position, and the position
        is left alone; other file-like objects are read from their current position. A
        file-like object that returns ``str`` is taken as UTF-8 text. At most
        ``MAX_BYTES + 1`` bytes are read.

    Returns
    -------
    pandas.DataFrame
        The numeric columns, in file order, as float64, with a fresh ``RangeIndex``: every
        value finite and at least two rows. ``df.attrs`` (plain Python types only) reports
        what happened:

        ``"rows_in_file"`` : int
            Data rows in the file: the header and blank lines are not counted.
        ``"rows_dropped"`` : int
            Rows left out because a numeric column had no finite number in them (blank, a
            missing-value marker, an infinite or overflowing number, or text), so
            ``len(df) == rows_in_file - rows_dropped``.
        ``"skipped_columns"`` : dict of str to str
            Column name -> why it was left out: ``"not numeric"`` or ``"mostly empty"``.
        ``"separator"`` : str
            ``","``, ``";"`` or ``"\\t"``.
        ``"decimal"`` : str
            ``"."`` or ``","``.
        ``"encoding"`` : str
            ``"utf-8"``, ``"utf-8-sig"`` (UTF-8 with a byte-order mark), ``"utf-16"`` or
            ``"utf-32"`` (with a byte-order mark), ``"utf-16-le"`` or ``"utf-16-be"`` (without
            one), ``"cp1252"`` or ``"latin-1"``.
        ``"header"`` : bool
            Whether the first row was read as column names.

    Raises
    ------
    DataError
        For every file that does not give such a table, including a path that does not exist
        and anything unexpected; the message is meant for the student and never repeats more
        of the file than a row number. No other exception is raised.

    Notes
    -----
    The steps, and the rules each one follows:

    1. **Bytes.** More than ``MAX_BYTES`` (10,000,000) is refused, as are empty files (nothing, or
       only whitespace) and files whose first bytes say what else they are: Excel (``.xlsx``,
       ``.xls``), OpenDocument, zip, PDF, PNG, JPEG, GIF, gzip.
    2. **Encoding.** A byte-order mark decides (UTF-8, UTF-16, UTF-32). Without one, NUL bytes
       at every other position mean UTF-16 (little- or big-endian by where the NULs are); any
       other NUL byte means a binary file. Then UTF-8, then cp1252 (reported as ``"latin-1"``
       when the file has no byte in 0x80-0x9F, where the two agree), then Latin-1. More than
       0.5 % control characters (other than tab and line breaks) in the first 64 KB means a
       binary file. CRLF and CR line endings become LF.
    3. **Lines.** Any line longer than ``MAX_LINE_CHARS`` (100,000 characters) is refused
       before parsing.
    4. **Separator.** The first ``SNIFF_LINES`` (50) non-empty lines are split, honouring
       double quotes, by each of ``,``, ``;`` and tab. A separator qualifies when its most
       common field count is above 1; among those, the one whose lines most often have that
       count wins, then the one whose cells look most like numbers, then tab over semicolon
       over comma. If none qualifies the file has one column (and ``"separator"`` is the first
       of the three it does not contain). Spaces after a separator are ignored, so a quote
       after ``", "`` still opens a quoted field. More than ``MAX_COLUMNS`` (1,000) columns
       is refused; rows longer than the first lines are read in full (the parse is retried
       with more columns), rows shorter are padded with blanks.
    5. **Decimal separator.** Each cell of the first 200 rows that is a number one way but not
       the other votes: ``1,5`` and ``1.234,5`` for a decimal comma, ``1.5`` and ``1,234.5``
       for a decimal point; ``1,234``, ``1.234`` and ``12`` are ambiguous and do not vote.
       A decimal comma needs more votes than a decimal point. Thousands separators (the other
       mark, a space, or a no-break space) are accepted only in groups of three digits, so
       with a decimal comma ``1.234,5`` is 1234.5 and ``1.5`` is not a number; with a
       decimal point (the default) ``"1,234"`` is 1234. A decimal comma with comma-separated
       fields works when the numbers are quoted (``"1,5"``).
    6. **Cells.** After stripping whitespace, a cell is blank, a *missing marker* (see
       ``MISSING_TOKENS``: ``NA``, ``nan``, ``-``, ``#N/A``, ``inf``, ...; also any number that
       is infinite or overflows float64), a *number* (finite), or *text*.
    7. **Columns.** A column is numeric when numbers and missing markers make up at least
       ``NUMERIC_SHARE`` (80 %) of its non-blank cells, and finite numbers fill at least
       ``FILLED_SHARE`` (50 %) of its rows. Otherwise it is skipped as ``"not numeric"`` (too
       much text) or ``"mostly empty"``. A column blank in every row and in the header (a
       trailing separator) is ignored without being reported.
    8. **Header.** The columns are first judged without the first row. If the first row's cell
       in every numeric column is a number there is no header and the columns are named
       ``"column 1"``, ``"column 2"``, ... by position. Otherwise the first row holds the names:
       control characters become spaces, surrounding whitespace goes, and names are cut to
       ``NAME_LENGTH`` (60) characters; a blank name becomes ``"column <position>"`` and a
       repeated one gets ``" (2)"``, ``" (3)"``, ... Names are plain text, never interpreted.
    9. **Rows.** Rows where any numeric column lacks a finite number are dropped and counted.
       Fewer than two rows left is refused. A quote that is opened and never closed is
       refused with the row where it starts.
    """
    try:
        data = _read_bytes(source)
        text, encoding = _decode(data)
        return _parse(text, encoding)
    except DataError:
        raise
    except Exception as exc:  # the contract: nothing but DataError leaves this function
        # A file no rule above foresaw: the student gets a sentence, the log gets the bug.
        _LOG.exception("read_csv: unexpected %s, reported as unreadable", type(exc).__name__)
        raise DataError(_GENERIC) from exc


# --- bytes ---------------------------------------------------------------------------------


def _read_bytes(source):
    if isinstance(source, bytes | bytearray | memoryview):
        with memoryview(source) as view:
            return bytes(view.cast("B")[: MAX_BYTES + 1])
    if isinstance(source, str | os.PathLike):
        return _read_path(source)
    getbuffer = getattr(source, "getbuffer", None)
    if callable(getbuffer):
        with getbuffer() as view:
            return bytes(view.cast("B")[: MAX_BYTES + 1])
    for method in ("getvalue", "read"):
        reader = getattr(source, method, None)
        if callable(reader):
            content = reader() if method == "getvalue" else reader(MAX_BYTES + 1)
            if isinstance(content, str):
                content = content.encode("utf-8")
            if isinstance(content, bytes | bytearray | memoryview):
                return bytes(content[: MAX_BYTES + 1])
            break
    raise DataError("The file could not be read. Choose a CSV file and try again.")


def _read_path(path):
    name = os.path.basename(os.fspath(path))
    if not isinstance(name, str):
        name = ""
    shown = f"“{name}”" if _SAFE_NAME.fullmatch(name or "") else "the file"
    try:
        with open(path, "rb") as file:
            return file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError(
            f"Could not find {shown}. Check the file's name and folder, and try again."
        ) from None
    except IsADirectoryError:
        raise DataError(
            f"{shown[0].upper()}{shown[1:]} is a folder, not a file. Choose a CSV file."
        ) from None
    except PermissionError:
        raise DataError(
            f"Not allowed to open {shown}. Check that you may read it, or copy it somewhere else."
        ) from None
    except (OSError, ValueError, TypeError):
        raise DataError(
            f"Could not open {shown}. Check the file's name and folder, and try again."
        ) from None


# --- encoding --------------------------------------------------------------------------------


def _refuse_known_binary(data):
    head = data[:4096]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        if b"xl/" in head or b"[Content_Types].xml" in head:
            raise DataError(
                "This is an Excel workbook (.xlsx), not a CSV file. "
                "Open it in Excel, use “Save as”, choose “CSV”, and upload that file."
            )
        if b"opendocument" in head:
            raise DataError(
                f"This is an OpenDocument spreadsheet (.ods), not a CSV file. {_SAVE_AS_CSV}"
            )
        raise DataError("This is a zip file, not a CSV file. Unpack it and upload the CSV inside.")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise DataError(f"This is an old Excel workbook (.xls), not a CSV file. {_SAVE_AS_CSV}")
    kinds = {
        b"%PDF": "a PDF document",
        b"\x89PNG": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"GIF8": "a GIF image",
        b"\x1f\x8b": "a compressed (gzip) file",
    }
    for magic, kind in kinds.items():
        if head.startswith(magic):
            raise DataError(f"This is {kind}, not a CSV file. Choose a CSV file with your data.")


_NOT_TEXT = (
    "This does not look like a CSV file: it is not plain text. Choose a CSV file, or save your "
    "table from a spreadsheet program as CSV."
)
_EMPTY = "The file is empty. Choose a CSV file that holds a table of numbers."


def _decode(data):
    if len(data) > MAX_BYTES:
        raise DataError(
            f"The file is larger than {MAX_UPLOAD_TEXT}. "
            "Use a smaller file: a few thousand rows are plenty here."
        )
    if not data.strip():
        raise DataError(_EMPTY)
    _refuse_known_binary(data)
    boms = (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    )
    encoding = next((name for bom, name in boms if data.startswith(bom)), None)
    if encoding is None and b"\x00" in data:
        encoding = _utf16_from_nuls(data)
        if encoding is None:
            raise DataError(_NOT_TEXT)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise DataError(_NOT_TEXT) from None
    else:
        text, encoding = _decode_8bit(data)
    text = text.removeprefix("\ufeff")
    sample = text[:65536]
    controls = len(_CONTROL.findall(sample))
    if controls > max(1, len(sample) // 200):
        raise DataError(_NOT_TEXT)
    if "\x00" in text:  # U+0000 in UTF-16 or UTF-32 text: drop it
        text = text.replace("\x00", "")
    text = text.rstrip("\x1a").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DataError(_EMPTY)
    return text, encoding


def _utf16_from_nuls(data):
    """``"utf-16-le"`` or ``"utf-16-be"`` when NULs sit at every other byte, else None."""
    sample = data[: 8192 - (min(len(data), 8192) % 2)]
    pairs = len(sample) // 2
    if pairs == 0:
        return None
    nul_even, nul_odd = sample[0::2].count(0), sample[1::2].count(0)
    if nul_odd >= 0.3 * pairs and nul_even <= 0.05 * pairs:
        return "utf-16-le"
    if nul_even >= 0.3 * pairs and nul_odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _decode_8bit(data):
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"
    c1 = re.search(b"[\x80-\x9f]", data) is not None
    return text, "cp1252" if c1 else "latin-1"


# --- parsing -------------------------------------------------------------------------------


def _check_line_lengths(text):
    if len(text) <= MAX_LINE_CHARS:
        return
    # A line's UTF-8 length bounds its length in characters; look closer only when it is long.
    encoded = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    ends = np.concatenate(([-1], np.flatnonzero(encoded == 10), [encoded.size]))
    lengths = np.diff(ends) - 1
    for index in np.flatnonzero(lengths > MAX_LINE_CHARS):
        line = encoded[ends[index] + 1 : ends[index + 1]].tobytes()
        if len(line.decode("utf-8", "surrogatepass")) > MAX_LINE_CHARS:
            raise DataError(
                f"Line {int(index) + 1} is longer than {MAX_LINE_CHARS:,} characters, too long "
                "for a row of a table. Check that this is a CSV file with one row per line."
            )


def _sniff_sample(text):
    head = text[: 2 * (MAX_LINE_CHARS + 1)]
    lines = head.split("\n")
    if len(head) < len(text) and len(lines) > 1:
        lines.pop()  # cut off mid-line
    lines = [line for line in lines if line.strip()][:SNIFF_LINES]
    return "\n".join(lines)


def _reader(text, separator):
    return csv.reader(
        io.StringIO(text),
        delimiter=separator,
        quotechar='"',
        doublequote=True,
        skipinitialspace=True,
        strict=False,
    )


def _records(sample, separator):
    """The non-empty records of ``sample``, up to the first one the csv module cannot read."""
    records = []
    with contextlib.suppress(csv.Error):  # e.g. a quoted field longer than csv's field limit
        records.extend(record for record in _reader(sample, separator) if record)
    return records


def _widest_record(text, separator):
    widest = 0
    with contextlib.suppress(csv.Error):
        for record in _reader(text, separator):
            widest = max(widest, len(record))
    return widest


def _choose_separator(text):
    """The separator and the most fields seen in a row of the first lines."""
    sample = _sniff_sample(text)
    best, best_score, widths = None, None, {}
    for priority, separator in enumerate(SEPARATORS):
        records = _records(sample, separator)
        if not records:
            continue
        counts = Counter(len(record) for record in records)
        widths[separator] = max(counts)
        mode, frequency = counts.most_common(1)[0]
        if mode < 2:
            continue
        cells = [cell.strip() for record in records[1:] or records for cell in record]
        numeric = sum(1 for cell in cells if _NUMBERISH.fullmatch(cell)) / max(len(cells), 1)
        score = (frequency / len(records), numeric, priority)
        if best_score is None or score > best_score:
            best, best_score = separator, score
    if best is None:
        best = next((s for s in SEPARATORS if s not in sample), ",")
    return best, widths.get(best, 1)


def _tokenize(text, separator, n_columns):
    """Every record as strings (blank lines skipped), retrying with more columns if need be."""
    full_width = None
    for _attempt in range(4):
        if n_columns > MAX_COLUMNS:
            raise DataError(
                f"The file has more than {MAX_COLUMNS:,} columns. Check that this is a table "
                "with one row per line, or keep only the columns you need."
            )
        try:
            table = pd.read_csv(
                io.StringIO(text),
                sep=separator,
                header=None,
                names=range(n_columns),
                index_col=False,
                dtype=str,
                na_filter=False,
                keep_default_na=False,
                quotechar='"',
                doublequote=True,
                skipinitialspace=True,
                skip_blank_lines=True,
                engine="c",
            )
        except pd.errors.ParserError as exc:
            message = str(exc)
            unclosed = _EOF_IN_QUOTE.search(message)
            if unclosed:
                row = int(unclosed.group(1)) + 1
                raise DataError(
                    f'A quotation mark (") that opens a cell near row {row} is never closed, '
                    "so the rest of the file cannot be read. Remove or close that quotation "
                    "mark and try again."
                ) from None
            wider = _TOO_MANY_FIELDS.search(message)
            if not wider:
                raise
            seen = int(wider.group(3))
            if full_width is None:
                full_width = _widest_record(text, separator)
                seen = max(seen, full_width)
            n_columns = max(n_columns + 1, seen)
            continue
        return table.fillna("")
    raise DataError(
        "The rows of this file have very different numbers of values, so it cannot be read as "
        "a table. Check the file in a spreadsheet program and save it again as CSV."
    )


def _choose_decimal(table):
    head = table.iloc[:200]
    if head.empty:
        return "."
    cells = pd.concat([head[c] for c in head.columns], ignore_index=True).astype(str).str.strip()
    dot = cells.str.fullmatch(_DOT_NUMBER).to_numpy(dtype=bool, na_value=False)
    comma = cells.str.fullmatch(_COMMA_NUMBER).to_numpy(dtype=bool, na_value=False)
    comma_votes = int(np.count_nonzero(comma & ~dot))
    dot_votes = int(np.count_nonzero(dot & ~comma))
    return "," if comma_votes > dot_votes else "."


def _convert(column, decimal):
    """Values (NaN where not a finite number) and masks of numbers, text and blank cells."""
    cells = column.astype(str).str.strip()
    blank = (cells == "").to_numpy(dtype=bool, na_value=True)
    marker = np.array(cells.str.lower().isin(MISSING_TOKENS), dtype=bool)
    pattern, grouping = (
        (_DOT_NUMBER, f"[{_SPACES},]") if decimal == "." else (_COMMA_NUMBER, f"[{_SPACES}.]")
    )
    match = cells.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)
    values = np.full(len(cells), np.nan)
    if match.any():
        numbers = cells[match].str.replace(grouping, "", regex=True)
        if decimal == ",":
            numbers = numbers.str.replace(",", ".", regex=False)
        values[match] = pd.to_numeric(numbers, errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
    finite = np.isfinite(values)
    other = ~(match | blank | marker)
    if other.any():
        # Spellings of infinity ("Infinity", "-inf", ...) are missing values, not text.
        spelled = pd.to_numeric(cells[other], errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        marker[np.flatnonzero(other)[np.isinf(spelled)]] = True
    number = match & finite
    text = ~(number | blank | marker | match)
    values[~number] = np.nan
    return values, number, text, blank


#: Cells converted at once: each passes through a few Python strings (about 60 bytes each), so a
#: block holds about 25 MB at a time whatever the file's size (a whole 10 MB file of 1,000
#: columns at once: about 140 MB).
_BLOCK_CELLS = 2**17


def _convert_all(table, decimal):
    """:func:`_convert` of every column, in vectorised passes over blocks of at most
    :data:`_BLOCK_CELLS` cells (a file of 1,000 short columns: a few passes instead of 1,000
    small ones, about 10x faster; blocks, not the whole table, to bound the memory).
    :func:`_convert` works cell by cell, so the blocks give what one pass would."""
    n_rows, n_columns = table.shape
    if n_rows == 0 or n_columns == 0:
        return [_convert(table[c], decimal) for c in table.columns]
    size = n_rows * n_columns
    values = np.empty(size)
    number, text, blank = (np.empty(size, dtype=bool) for _ in range(3))
    rows = min(n_rows, _BLOCK_CELLS)
    columns = max(1, _BLOCK_CELLS // rows)
    for first_column in range(0, n_columns, columns):
        last_column = min(first_column + columns, n_columns)
        for first_row in range(0, n_rows, rows):
            last_row = min(first_row + rows, n_rows)
            block = table.iloc[first_row:last_row, first_column:last_column]
            cells = pd.Series(block.to_numpy(dtype=object).ravel(order="F"))
            parts = _convert(cells, decimal)
            height = last_row - first_row
            for k in range(last_column - first_column):
                start = (first_column + k) * n_rows + first_row
                for whole, part in zip((values, number, text, blank), parts, strict=True):
                    whole[start : start + height] = part[k * height : (k + 1) * height]
    return [
        tuple(part[k * n_rows : (k + 1) * n_rows] for part in (values, number, text, blank))
        for k in range(n_columns)
    ]


def _judge(number, text, blank, n_rows):
    """None for a numeric column, else the reason it is skipped."""
    non_blank = n_rows - int(np.count_nonzero(blank))
    if int(np.count_nonzero(text)) > (1 - NUMERIC_SHARE) * non_blank:
        return "not numeric"
    if n_rows == 0 or int(np.count_nonzero(number)) < FILLED_SHARE * n_rows:
        return "mostly empty"
    return None


def _column_names(first_row, header):
    names, seen = [], set()
    for position, raw in enumerate(first_row, start=1):
        name = ""
        if header:
            name = _CONTROL_OR_NEWLINE.sub(" ", str(raw)).strip()[:NAME_LENGTH].rstrip()
        if not name:
            name = f"column {position}"
        unique, k = name, 2
        while unique in seen:
            unique, k = f"{name} ({k})", k + 1
        seen.add(unique)
        names.append(unique)
    return names


def _parse(text, encoding):
    _check_line_lengths(text)
    separator, n_columns = _choose_separator(text)
    table = _tokenize(text, separator, max(n_columns, 1))
    n_records = len(table)
    if n_records < 2:
        raise DataError(
            "The file has fewer than two rows of data; at least two rows of numbers are needed."
        )
    decimal = _choose_decimal(table.iloc[1:])
    converted = _convert_all(table, decimal)

    # Judge the columns without the first row, then see whether that row is a header.
    rest = [tuple(part[1:] for part in parts) for parts in converted]
    numeric = [
        i
        for i, (_, number, text_, blank) in enumerate(rest)
        if _judge(number, text_, blank, n_records - 1) is None
    ]
    if not numeric:
        raise _no_numbers()
    header = not all(converted[i][1][0] for i in numeric)
    start = 1 if header else 0
    n_rows = n_records - start
    names = _column_names(table.iloc[0].tolist(), header)

    columns, skipped = {}, {}
    keep = np.ones(n_rows, dtype=bool)
    for i, (values, number, text_, blank) in enumerate(converted):
        number, text_, blank = number[start:], text_[start:], blank[start:]
        if blank.all() and (not header or _is_blank(table.iat[0, i])):
            continue  # a column nobody wrote in (a trailing separator)
        reason = _judge(number, text_, blank, n_rows)
        if reason is not None:
            skipped[names[i]] = reason
            continue
        columns[names[i]] = values[start:]
        keep &= number
    if not columns:
        raise _no_numbers()
    kept = int(np.count_nonzero(keep))
    if n_rows < 2:
        raise DataError(
            f"The file has only {n_rows} row of data; at least two rows of numbers are needed."
        )
    if kept < 2:
        raise DataError(
            f"Only {kept} of the file's {n_rows} rows {'has' if kept == 1 else 'have'} a number "
            "in every numeric column; the others have missing or non-numeric values. At least "
            "two complete rows are needed: fill in the missing values and try again."
        )
    frame = pd.DataFrame({name: values[keep] for name, values in columns.items()}, dtype=np.float64)
    frame.attrs.update(
        rows_in_file=int(n_rows),
        rows_dropped=int(n_rows - kept),
        skipped_columns=skipped,
        separator=separator,
        decimal=decimal,
        encoding=encoding,
        header=bool(header),
    )
    return frame


def _is_blank(cell):
    return not str(cell).strip()


def _no_numbers():
    return DataError(
        "No column of this file holds numbers, so there is nothing to plot. Choose a CSV file "
        "with at least one column of numbers (a header row on top is fine)."
    )
