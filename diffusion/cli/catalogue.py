"""``diffusion params`` and ``diffusion events``.

what a scenario can set, from the code that checks it (:mod:`diffusion.catalogue`).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Sequence
from typing import Any

import click

from diffusion.cli.common import fail


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return json.dumps(list(value))
    return str(value)


def _emit(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, title: str) -> None:
    if fmt == "json":
        click.echo(json.dumps([{c: r[c] for c in columns} for r in rows], indent=1, default=str))
        return
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_cell(r[c]) for c in columns] for r in rows])
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), show_lines=False)
    for i, c in enumerate(columns):
        table.add_column(c, overflow="fold", no_wrap=i == 0 or c == "field")
    for r in rows:
        table.add_row(*(escape(_cell(r[c]).replace("``", "")) for c in columns))
    Console(width=max(120, Console().width)).print(table)


FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the list.",
)


@click.command("params")
@click.option(
    "--model",
    default="ideas",
    show_default=True,
    help="The model whose parameters to list (see `diffusion params --model list`).",
)
@FORMAT
def params(model: str, fmt: str) -> None:
    """List a model's parameters.

    name, default, unit, allowed range, mechanism (the numbering of docs/ideas-model.md), the value
    that switches it off, and its meaning.

    Set them in a scenario under [model.params] or with --set model.params.NAME=VALUE.
    """
    from diffusion.catalogue import model_names, parameter_rows

    if model == "list":
        click.echo("\n".join(model_names()))
        return
    try:
        rows = parameter_rows(model)
    except ValueError as exc:
        fail(f"--model: {exc}")
    columns = ["name", "default", "unit", "range", "mechanism", "neutral", "meaning"]
    if model != "ideas":
        columns = ["name", "default", "unit", "meaning"]
    _emit(rows, columns, fmt, f"parameters of the {model} model")


@click.command("events")
@FORMAT
def events(fmt: str) -> None:
    """List the event kinds a scenario's [[events]] can hold, with their fields.

    type, whether required, default and allowed bounds.

    Every event has a date (inside the calendar) and an optional note; see
    scenarios/README.md for the mechanism each expresses.
    """
    from diffusion.catalogue import event_rows

    rows = event_rows()
    if fmt != "json":
        for row in rows:
            row["required"] = "yes" if row["required"] else ""
    columns = ["kind", "field", "type", "required", "default", "bounds", "what"]
    _emit(rows, columns, fmt, "scenario events ([[events]] with kind = ...)")
