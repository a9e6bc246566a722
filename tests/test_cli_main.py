"""The command group: fast start, lazy imports, help lists every command."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from diffusion.cli import COMMANDS, main


def test_importing_the_cli_pulls_in_nothing_heavy():
    code = (
        "import sys, diffusion.cli; "
        "heavy = {'numpy', 'scipy', 'networkx', 'matplotlib', 'dask', 'pydantic', 'rich', "
        "'numba'}; "
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_help_lists_every_command_without_importing_them():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_every_registered_command_imports():
    for name in COMMANDS:
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name


def test_unknown_command_exits_2():
    result = CliRunner().invoke(main, ["nope"])
    assert result.exit_code == 2
