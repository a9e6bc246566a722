"""Errors in what a user gives the program: files, options, values.

An :class:`InputError` reads as one line, ``file: place: message``, so the command line can
print it as is; the message says what is wrong and how to fix it. :func:`one_line` is the one
formatter of such lines: it joins the parts, strips terminal control characters (a file name
or a value may hold them) and cuts what would run to kilobytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from os import PathLike

#: longest line an error prints, in characters (longer ones are cut with "...")
MAX_LINE = 400


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
    """The non-empty ``parts`` joined by ``": "`` as one clean line (see :func:`clean`)."""
    return clean(": ".join(p for p in parts if p), MAX_LINE)


class InputError(ValueError):
    """A user input is wrong; ``str(err)`` is one line ``file: place: message``.

    Parameters
    ----------
    file : str or path-like
        The file at fault (``""`` when the input is not a file).
    place : str
        Where in the file: ``"line 4"``, ``"departments[1].side"``; ``""`` for the whole file.
    message : str
        What is wrong and how to fix it.
    """

    def __init__(self, file: str | PathLike[str], place: str, message: str) -> None:
        super().__init__(str(file), place, message)
        self.file, self.place, self.message = str(file), place, message
        self.others: tuple[InputError, ...] = ()

    @property
    def lines(self) -> list[str]:
        """One line per problem: this one, then the others found with it."""
        return [
            one_line(self.file, self.place, self.message),
            *(o for e in self.others for o in e.lines),
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines)


#: most problems of one input reported at once (the rest are counted)
MAX_PROBLEMS = 30


def together(problems: Sequence[InputError]) -> InputError:
    """The first of ``problems`` carrying the others (see :attr:`InputError.lines`), so a
    user fixes an input in one go; past :data:`MAX_PROBLEMS` the rest are counted."""
    first, *rest = problems
    if len(rest) >= MAX_PROBLEMS:
        more = len(rest) - MAX_PROBLEMS + 1
        rest = [*rest[: MAX_PROBLEMS - 1], InputError(first.file, "", f"and {more} more problems")]
    first.others = tuple(rest)
    return first


class InputWarning(UserWarning):
    """Something in an input that is allowed but probably not meant; the command line
    prints it as one line ``warning: file: place: message``."""


def warn(file: str | PathLike[str], place: str, message: str) -> None:
    """Issue an :class:`InputWarning` reading ``file: place: message``."""
    import warnings

    warnings.warn(InputWarning(one_line(str(file), place, message)), stacklevel=3)
