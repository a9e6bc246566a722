"""``diffusion validate``: check scenario files without simulating them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from diffusion.cli.common import memory_option
from diffusion.cli.run import set_option


@click.command("validate")
@memory_option
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@set_option
def validate(files: tuple[Path, ...], overrides: tuple[str, ...]) -> None:
    """Check each scenario FILE.

    Its keys and types, extends, dates against the calendar, the model and its parameters, and names
    against the organisation.

    Prints "FILE: OK" per good file and every problem of a bad one, one line each
    ("file: path: message (got value)"); exits with status 2 if any file is bad.
    """
    from diffusion.errors import InputError
    from diffusion.scenario.load import load_scenario

    bad = 0
    for file in files:
        try:
            load_scenario(file, overrides)
        except InputError as exc:
            bad += 1
            for line in str(exc).splitlines():
                click.echo(line, err=True)
        else:
            click.echo(f"{file}: OK")
    if bad:
        sys.exit(2)
