"""Small file helpers shared by every writer."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success move it onto ``path`` at once.

    Readers never see a half-written file, and an error inside the block leaves ``path``
    as it was (or absent) and removes the temporary file.

    Parameters
    ----------
    path : str or path-like
        Final location of the file; its folder must exist.
    mode : {"w", "wb"}
        Text or binary writing.
    **kwargs
        Passed to :func:`open` (e.g. ``newline=""`` for csv); text mode defaults to UTF-8.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_write(target) as fh:
    ...     _ = fh.write("done")
    >>> target.read_text()
    'done'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb' (got {mode!r})")
    target = Path(path)
    if "b" not in mode:
        kwargs.setdefault("encoding", "utf-8")
    # the name is chosen before the file is made, inside the ``try``: an interrupt landing
    # anywhere leaves no temporary file behind
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, mode, **kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp makes the file private (0600); give it the usual mode of a new file
        os.chmod(tmp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_figure(
    fig: Any,
    path: str | os.PathLike[str],
    *,
    dpi: int = 110,
    close: bool = True,
    bbox_inches: str | None = "tight",
    **kwargs: Any,
) -> Path:
    """Write a matplotlib figure to ``path``, atomically, and close it.

    The one place figures are saved: a reader never sees half a file, a failure leaves
    ``path`` as it was, and the figure is closed even then (unless ``close`` is False).
    The format follows the path's suffix (PNG without one); ``fig`` may also be an axes
    (its figure is saved); the bounding box is tight around what is drawn unless
    ``bbox_inches`` says otherwise (None: the figure's size); ``kwargs`` go to
    :meth:`matplotlib.figure.Figure.savefig`; the folder is created if needed.

    Returns
    -------
    Path
        ``path``.
    """
    figure = getattr(fig, "figure", None) or fig
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(target, "wb") as fh:
            figure.savefig(
                fh,
                format=target.suffix.lstrip(".") or "png",
                dpi=dpi,
                bbox_inches=bbox_inches,
                **kwargs,
            )
    finally:
        if close:
            import matplotlib.pyplot as plt

            plt.close(figure)
    return target
