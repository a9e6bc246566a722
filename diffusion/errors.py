"""Errors in what a user gives the program: files, options, values.

An :class:`InputError` reads as one line, ``file: place: message``, so the command line can
print it as is; the message says what is wrong and how to fix it.
"""

from __future__ import annotations

from os import PathLike


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

    def __str__(self) -> str:
        parts = (self.file, self.place, self.message)
        return ": ".join(p for p in parts if p).replace("\n", " ")
