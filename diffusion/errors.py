"""Errors in what a user gives the program: files, options, values.

Every input error of the package (a scenario, an organisation spec, a roster, an option) is
an :class:`InputError` carrying one or more :class:`Problem`, each one line ``file: place:
message (got value)``, so the command line prints them as they are (exit status 2); the
message says what is wrong and how to fix it. :func:`one_line` is the one formatter of such
lines: it joins the parts, strips terminal control characters (a file name or a value may
hold them) and cuts what would run to kilobytes. Pydantic's validation errors become
problems in :func:`diffusion.strict.problems_of`.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any, Self

#: longest line an error prints, in characters (longer ones are cut with "...")
MAX_LINE = 400
#: marks an :class:`InputError` made without a value to show
_NO_VALUE: Any = object()


def clean(text: str, limit: int | None = None) -> str:
    r"""``text`` on one line without control characters, cut to ``limit`` characters.

    Line breaks and tabs become spaces; other control characters (escape sequences that a
    terminal would act on, NUL, bidi controls) are dropped.

    Examples
    --------
    >>> clean("a\nb\x1b[31mred\x07")
    'a b[31mred'
    >>> clean("x" * 10, limit=6)
    'xxx...'
    """
    out = "".join(
        " " if ch in "\n\r\t" else ch for ch in text if ch in "\n\r\t" or not _control(ch)
    )
    if limit is not None and len(out) > limit:
        out = out[: max(limit - 3, 0)] + "..."
    return out


def _control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch != " "


def excerpt(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: a short, escaped echo of a bad value.

    Examples
    --------
    >>> excerpt("x" * 100, limit=10)
    "'xxxxxx..."
    """
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(*parts: str) -> str:
    """Return the non-empty ``parts`` joined by ``": "`` as one clean line (see :func:`clean`)."""
    return clean(": ".join(p for p in parts if p), MAX_LINE)


def short(value: object, limit: int = 60) -> str:
    """``repr`` of ``value`` cut to ``limit`` characters; dates as TOML writes them.

    Examples
    --------
    >>> import datetime as dt
    >>> short(dt.date(2018, 5, 1)), short((1, 2)), short("x" * 100, limit=8)
    ('2018-05-01', '[1, 2]', "'xxxx...")
    """
    if isinstance(value, dt.date):
        return value.isoformat()
    return excerpt(list(value) if isinstance(value, tuple) else value, limit)


@dataclass(frozen=True)
class Problem:
    """One problem of an input: the file, the place in it, what is wrong and the value.

    ``str(problem)`` is its one line, ``file: place: message (got value)``, the value left
    out where ``show_value`` is false.

    Examples
    --------
    >>> str(Problem("s.toml", "events[2].date", "outside the calendar", "2031-01-01"))
    "s.toml: events[2].date: outside the calendar (got '2031-01-01')"
    >>> str(Problem("r.csv", "line 4", "unknown role 'x'", show_value=False))
    "r.csv: line 4: unknown role 'x'"
    """

    file: str
    path: str
    message: str
    value: Any = None
    show_value: bool = True

    def __str__(self) -> str:
        got = f" (got {short(self.value)})" if self.show_value else ""
        return one_line(self.file, self.path, f"{self.message}{got}")


#: most problems of one input reported at once (the rest are counted)
MAX_PROBLEMS = 30


class InputError(ValueError):
    """A user input is wrong: one or more :class:`Problem`, one line each.

    ``InputError(file, place, message)`` is one problem; :meth:`of` (and :func:`together`)
    carry several, so a user fixes an input in one go. ``str(err)`` is the lines joined by
    newlines (:attr:`lines`); ``file``, ``place`` and ``message`` are the first problem's.

    Parameters
    ----------
    file : str or path-like
        The file at fault (``""`` when the input is not a file).
    place : str
        Where in the file: ``"line 4"``, ``"departments[1].side"``; ``""`` for the whole file.
    message : str
        What is wrong and how to fix it.
    value : object, optional
        The offending value, shown as ``(got value)`` when given.

    Examples
    --------
    >>> err = InputError.of([Problem("a.toml", "runs", "give a positive integer", -1),
    ...                      Problem("b.toml", "", "no such file", show_value=False)])
    >>> err.lines
    ['a.toml: runs: give a positive integer (got -1)', 'b.toml: no such file']
    >>> err.file, err.place
    ('a.toml', 'runs')
    """

    problems: tuple[Problem, ...]

    def __init__(
        self, file: str | PathLike[str], place: str, message: str, value: Any = _NO_VALUE
    ) -> None:
        shown = value is not _NO_VALUE
        self._set([Problem(str(file), place, message, value if shown else None, shown)])

    def _set(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError(f"{type(self).__name__} needs at least one problem")
        if len(problems) > MAX_PROBLEMS:
            more = len(problems) - MAX_PROBLEMS + 1
            last = Problem(problems[0].file, "", f"and {more} more problems", show_value=False)
            problems = [*problems[: MAX_PROBLEMS - 1], last]
        self.problems = tuple(problems)
        first = self.problems[0]
        self.file, self.place, self.message = first.file, first.path, first.message
        self.args = (str(self),)

    @classmethod
    def of(cls, problems: Sequence[Problem]) -> Self:
        """Make an error carrying ``problems`` (past :data:`MAX_PROBLEMS` the rest are counted)."""
        err = cls.__new__(cls)
        InputError._set(err, problems)
        return err

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its problems (a Dask worker's error reaches the client whole)
        return (_rebuild, (type(self), self.problems))

    @property
    def lines(self) -> list[str]:
        """One line per problem."""
        return [str(p) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines)


def _rebuild(cls: type[InputError], problems: Sequence[Problem]) -> InputError:
    return cls.of(problems)


def together(errors: Sequence[InputError]) -> InputError:
    """One error of the first's kind carrying the problems of all ``errors``."""
    return type(errors[0]).of([p for e in errors for p in e.problems])


class InputWarning(UserWarning):
    """Something in an input that is allowed but probably not meant.

    The command line prints it as one line ``warning: file: place: message``.
    """


def warn(file: str | PathLike[str], place: str, message: str) -> None:
    """Issue an :class:`InputWarning` reading ``file: place: message``."""
    import warnings

    warnings.warn(InputWarning(one_line(str(file), place, message)), stacklevel=3)
