"""The ``diffusion`` command line.

Each command lives in its own module and is imported only when it is invoked, so
``diffusion --help`` does not pay for numpy, scipy, networkx or matplotlib.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Iterator
from typing import Any

import click

from diffusion import __version__

#: command name -> "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "advise": "diffusion.cli.advise:advise",
    "calibrate": "diffusion.cli.calibrate:calibrate",
    "compare": "diffusion.cli.compare:compare",
    "events": "diffusion.cli.catalogue:events",
    "fit-report": "diffusion.cli.fit_report:fit_report",
    "org": "diffusion.cli.org:org",
    "params": "diffusion.cli.catalogue:params",
    "report": "diffusion.cli.report:report",
    "run": "diffusion.cli.run:run",
    "sensitivity": "diffusion.cli.sensitivity:sensitivity",
    "sweep": "diffusion.cli.sweep:sweep",
    "sweep-plot": "diffusion.cli.sweep_plot:sweep_plot",
    "validate": "diffusion.cli.validate:validate",
}

HELP: dict[str, str] = {
    "advise": "Recommend who to send on a course cohort, against simple strategies.",
    "calibrate": "Fit model parameters to Table 1 (ABC: rejection or pyabc ABC-SMC).",
    "events": "List the event kinds a scenario can hold, with their fields.",
    "fit-report": "How well a scenario reproduces Table 1's patterns, against null models.",
    "org": "Summarise, draw or export an organisation graph (--template: a roster).",
    "params": "List a model's parameters with units, defaults and ranges.",
    "report": "Write one self-contained HTML report of what-ifs against a base.",
    "run": "Simulate a scenario (default: the Etten-Leur baseline).",
    "sensitivity": "Sobol or Morris indices of parameters, with a dummy as the noise floor.",
    "sweep": "Sweep parameters of a scenario, locally or on a Dask cluster.",
    "sweep-plot": "Plot a sweep: response curve (1 parameter) or heatmap (2-D grid).",
    "compare": "Compare what-if scenarios with a base, run with the same seeds.",
    "validate": "Check scenario files without simulating them.",
}


@contextlib.contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Print the project's input warnings as one line ``warning: ...`` on stderr."""
    import warnings

    from diffusion.errors import InputWarning, clean

    original = warnings.showwarning

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, InputWarning):
            click.echo(f"warning: {clean(str(message))}", err=True)
        else:
            original(message, category, *args, **kwargs)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = original


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use.

    Run as a program (click's standalone mode), it prints every error as one line
    ``error: ...`` on stderr (click's usage errors too, exit status 2), and stops cleanly on
    Ctrl-C and SIGTERM (see :mod:`diffusion.cli.interrupts`).
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        from diffusion.cli.interrupts import sigterm_as_interrupt, stop_message
        from diffusion.errors import clean

        try:
            with sigterm_as_interrupt(), _warnings_as_lines():
                code = super().main(*args, standalone_mode=False, **kwargs)
        except click.ClickException as exc:
            click.echo(f"error: {clean(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except (click.Abort, KeyboardInterrupt) as exc:
            message, status = stop_message(exc)
            click.echo(f"error: {message}", err=True)
            sys.exit(status)
        sys.exit(code if isinstance(code, int) else 0)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands from :data:`HELP` without importing them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, HELP[name]) for name in self.list_commands(ctx)])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="diffusion")
def main() -> None:
    """Simulate how new ideas and ways of working spread through an organisation."""


__all__ = ["main"]
