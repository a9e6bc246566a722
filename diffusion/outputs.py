"""Output folders that never take what the user owns, and the manifest that marks them.

Every command that writes results writes them into a fresh temporary folder beside the
target and, once everything is written, swaps it in at once (:func:`output_folder`), so a
reader never sees half an output folder. An existing target is replaced only when
``diffusion`` wrote it: its ``manifest.json`` says so (``"written_by": "diffusion"``) and
lists every file in it. A folder that holds anything else (the user's own files, an older
folder without a manifest, a file where a folder should be) is left alone, and the command
stops before simulating with one line saying how to proceed; ``overwrite=True`` (the
commands' ``--overwrite``) replaces it anyway. The current folder, the ones above it, the
filesystem root and the home folder are never replaced, whatever the flag.

A scenario's ``name`` names its default output folder (``out/<name>``), so it must be one
safe path component (:func:`check_name`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import shutil
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diffusion.errors import InputError
from diffusion.io import atomic_write

if TYPE_CHECKING:
    from diffusion.scenario.load import LoadedScenario

#: the file that marks a folder as written by diffusion
MANIFEST = "manifest.json"
#: the manifest's mark
WRITTEN_BY = "diffusion"
#: longest scenario name (it becomes a folder name)
MAX_NAME_LENGTH = 100


class OutputError(InputError):
    """An output folder that cannot be written or must not be replaced."""


def name_problem(name: str) -> str | None:
    r"""Why ``name`` cannot be a folder name, or None when it can.

    A scenario name becomes the folder ``out/<name>``: one path component, so no ``/`` or
    ``\``, not ``.`` or ``..``, no leading dot (hidden folders are diffusion's temporary
    ones), no control characters, at most :data:`MAX_NAME_LENGTH` characters.

    Examples
    --------
    >>> name_problem("new-secretary") is None
    True
    >>> name_problem("../victim").startswith("a name becomes a folder name")
    True
    """
    if not name.strip():
        return "a name cannot be empty or blank"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name becomes a folder name: at most {MAX_NAME_LENGTH} characters"
    if "/" in name or "\\" in name:
        return (
            "a name becomes a folder name: use letters, digits, spaces, '-', '_' or '.', "
            "without '/' or '\\'"
        )
    if name.startswith("."):
        return "a name becomes a folder name: it cannot start with '.'"
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        return "a name becomes a folder name: no control or invisible characters"
    if name != name.strip():
        return "a name becomes a folder name: no spaces at its start or end"
    return None


def check_name(name: str) -> str:
    """Return ``name`` if it is a safe folder name (:func:`name_problem`).

    Else raise :class:`ValueError` with the reason.
    """
    problem = name_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return name


# ------------------------------------------------------------------------------ folders
def _never_replaced(path: Path) -> str | None:
    """Why ``path`` (resolved) may never be replaced, or None."""
    cwd = Path.cwd().resolve()
    if path == Path(path.anchor):
        return "is the filesystem root"
    if path == cwd or path in cwd.parents:
        return "is the current folder or a folder above it"
    with contextlib.suppress(RuntimeError, KeyError):
        if path == Path.home().resolve():
            return "is the home folder"
    return None


def _manifest_files(folder: Path) -> set[str] | None:
    """Return the files a diffusion manifest in ``folder`` lists (None: no diffusion manifest)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("written_by") != WRITTEN_BY:
        return None
    files = manifest.get("files")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return {*files, MANIFEST}


#: characters diffusion adds to an output folder's name for its temporary and old copies
#: (``.NAME.old-<19 digits>``)
NAME_MARGIN = 25


def _unwritable(folder: Path) -> str | None:
    """Why ``folder`` (resolved) cannot be written, or None.

    A name too long for the filesystem, a file where a folder of the path should be, or a folder
    that cannot be written in (tried by making and removing an empty folder there).
    """
    try:
        name_max = os.pathconf(folder.anchor or ".", "PC_NAME_MAX")
        path_max = os.pathconf(folder.anchor or ".", "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    longest = max((len(part) for part in folder.parts), default=0)
    if len(folder.name) + NAME_MARGIN > name_max or longest > name_max:
        return f"a folder name in it is too long (at most {name_max - NAME_MARGIN} characters)"
    if len(str(folder)) + NAME_MARGIN > path_max:
        return f"the path is too long (at most {path_max - NAME_MARGIN} characters)"
    existing = folder
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        if existing == folder:
            return "exists and is not a folder"
        return f"lies under a file ({existing}), not a folder"
    if existing != folder:
        probe = existing / f".diffusion-check-{secrets.token_hex(8)}"
        try:
            os.mkdir(probe)
        except OSError as exc:
            return f"cannot write in {existing}: {exc.strerror}"
        finally:
            with contextlib.suppress(OSError):
                os.rmdir(probe)
    elif not os.access(folder, os.W_OK | os.X_OK):
        return "cannot write in it: permission denied"
    return None


def check_output_folder(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Check, before any work, that ``path`` can become an output folder; return it.

    Parameters
    ----------
    path : str or path-like
        The folder to write.
    overwrite : bool
        Replace an existing folder even if diffusion did not write it (never the current
        folder, one above it, the root or the home folder).

    Returns
    -------
    Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
        One line naming the folder, what is wrong and how to proceed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_output_folder(pathlib.Path(tempfile.mkdtemp()) / "new").name
    'new'
    """
    raw = os.fspath(path)
    if not raw.strip():
        raise OutputError("--out", "", "the output folder is empty; give a folder name")
    folder = Path(raw)
    resolved = folder.resolve()
    reason = _never_replaced(resolved)
    if reason is not None:
        raise OutputError(raw, "", f"{reason}; give a new folder for the outputs, e.g. out/run1")
    reason = _unwritable(resolved)
    if reason is not None:
        raise OutputError(raw, "", f"{reason}; give another --out")
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputError(raw, "", "exists and is not a folder; give another --out")
    if folder.is_dir() and not overwrite:
        entries = {entry.name for entry in folder.iterdir()}
        listed = _manifest_files(folder)
        if entries and listed is None:
            raise OutputError(
                raw,
                "",
                "exists and was not written by diffusion (no diffusion manifest.json); "
                "give a new --out, or --overwrite to replace it",
            )
        extra = sorted(entries - listed) if listed is not None else []
        if extra:
            shown = ", ".join(extra[:3]) + (f" and {len(extra) - 3} more" if len(extra) > 3 else "")
            raise OutputError(
                raw,
                "",
                f"holds files diffusion did not write ({shown}); move them, give a new --out, "
                "or --overwrite to replace the folder",
            )
    return folder


#: the figure formats :func:`diffusion.io.save_figure` writes (by the path's suffix) that a
#: file option takes: every matplotlib installation writes these
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")


def check_new_file(
    path: str | os.PathLike[str], option: str, suffixes: Sequence[str] = FIGURE_SUFFIXES
) -> Path:
    """Check, before any work, that ``path`` can be written as a new file; return it.

    A file the user already has is never replaced (diffusion cannot tell whether it wrote
    it), so an existing path is refused, as is a suffix the writer does not know.

    Parameters
    ----------
    path : str or path-like
        The file to write.
    option : str
        The option that named it, for the message (e.g. ``--draw``).
    suffixes : sequence of str
        The suffixes it may have, lower case with the dot; the first is the one suggested.

    Raises
    ------
    OutputError
        One line naming the file, the option, what is wrong and what to do.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> check_new_file(pathlib.Path(tempfile.mkdtemp()) / "org.png", "--draw").name
    'org.png'
    >>> try:
    ...     check_new_file("org.toml", "--draw")
    ... except OutputError as exc:
    ...     print(exc)
    org.toml: --draw: cannot write a '.toml' file; use .png, .svg or .pdf
    """
    raw = os.fspath(path)
    target = Path(raw)
    if target.suffix.lower() not in suffixes:
        kinds = (
            ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1 else suffixes[0]
        )
        given = f"a {target.suffix!r} file" if target.suffix else "a file without a suffix"
        raise OutputError(raw, option, f"cannot write {given}; use {kinds}")
    if os.path.lexists(target):
        raise OutputError(
            raw, option, "exists; give a new file name (an existing file is never replaced)"
        )
    reason = _unwritable(target.parent.resolve())
    if reason is not None:
        raise OutputError(raw, option, f"its folder {reason}; give another file name")
    return target


@contextlib.contextmanager
def output_folder(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it replaces ``path`` at once.

    ``path`` is checked first (:func:`check_output_folder`), and again just before the
    swap, so a folder the user created or filled meanwhile is not taken. If anything fails,
    ``path`` is left as it was and the temporary folder is removed. Call
    :func:`write_manifest` last inside the block: it marks the folder as diffusion's.

    Parameters
    ----------
    path : str or path-like
        The output folder.
    overwrite : bool
        As in :func:`check_output_folder`.

    Yields
    ------
    Path
        The temporary folder to write into.
    """
    folder = check_output_folder(path, overwrite=overwrite)
    # Every name is chosen before the step that makes it, inside the ``try``: an interrupt
    # (Ctrl-C, SIGTERM) landing anywhere leaves no temporary folder and the target whole.
    tmp = folder.with_name(f".{folder.name}.{secrets.token_hex(8)}")
    old = folder.with_name(f".{folder.name}.old-{secrets.token_hex(8)}")
    moved = False
    try:
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            os.mkdir(tmp)  # mode 0o777 less the umask: a new folder's usual mode
        except OSError as exc:
            raise OutputError(os.fspath(path), "", f"cannot create it: {exc.strerror}") from None
        yield tmp
        check_output_folder(folder, overwrite=overwrite)
        if folder.exists():
            folder.rename(old)
            moved = True
        tmp.rename(folder)
    except BaseException:
        if moved and not folder.exists():
            old.rename(folder)
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if moved:
        try:
            shutil.rmtree(old)
        except BaseException:
            shutil.rmtree(old, ignore_errors=True)
            raise


# ------------------------------------------------------------------------------ manifest
def write_manifest(
    folder: str | os.PathLike[str],
    scenarios: Mapping[str, LoadedScenario],
    runs: int,
    seed: int,
    *,
    command: str | None = None,
    **extra: Any,
) -> Path:
    """Write ``manifest.json`` into ``folder``; call it after every other file is written.

    The manifest holds the resolved scenarios (after ``extends`` and ``--set``), their
    files and overrides, seed, runs, package version, command line, date, the files of the
    folder, and the mark ``"written_by": "diffusion"`` that lets a later command replace
    the folder (:func:`check_output_folder`).

    Parameters
    ----------
    folder : str or path-like
        The (temporary) output folder.
    scenarios : mapping of str to LoadedScenario
        The scenarios by the name used in the outputs.
    runs, seed : int
        Monte Carlo runs and root seed.
    command : str, optional
        The command line (default: ``diffusion`` and this process's arguments).
    **extra
        More keys for the manifest (JSON-serialisable, or written with ``str``).

    Returns
    -------
    Path
        The manifest's path.
    """
    from diffusion import __version__

    folder = Path(folder)
    files = sorted(p.name for p in folder.iterdir() if p.name != MANIFEST)
    manifest = {
        "written_by": WRITTEN_BY,
        "command": command if command is not None else " ".join(["diffusion", *sys.argv[1:]]),
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "version": __version__,
        "runs": runs,
        "seed": seed,
        "files": [*files, MANIFEST],
        "scenarios": {
            name: {
                "files": list(loaded.files),
                "overrides": list(loaded.overrides),
                "resolved": loaded.resolved(),
            }
            for name, loaded in scenarios.items()
        },
        **extra,
    }
    target = folder / MANIFEST
    with atomic_write(target) as fh:
        json.dump(manifest, fh, indent=2, default=str)
    return target
