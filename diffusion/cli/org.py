"""``diffusion org``: summarise, draw or export an organisation graph."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from diffusion.cli.common import clean_errors, fail, memory_option

if TYPE_CHECKING:
    import networkx as nx

    from diffusion.summary import OrgSummary

EXPORT_SUFFIXES = (".graphml", ".csv")


@click.command("org")
@memory_option
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Organisation spec (TOML) to generate from.",
)
@click.option(
    "--roster",
    "roster_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Roster CSV: one row per person.",
)
@click.option(
    "--ties",
    "ties_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Ties CSV to go with --roster.",
)
@click.option(
    "--graph",
    "graph_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Graph file: .graphml, .gexf, or a roster .csv.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Seed for a generated organisation (default: the spec's; 0 for Etten-Leur).",
)
@click.option(
    "--draw",
    "draw_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Draw the graph, coloured by department, to this new PNG (or .svg, .pdf).",
)
@click.option(
    "--export",
    "export_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the graph to new files: .graphml, or .csv (a roster; ties in FILE-ties.csv).",
)
@click.option(
    "--template",
    "template_path",
    type=click.Path(path_type=Path),
    help="Write a filled-in example roster CSV (40 people) to this new file and stop; "
    "the format is in docs/roster.md.",
)
def org(
    spec_path: Path | None,
    roster_path: Path | None,
    ties_path: Path | None,
    graph_path: Path | None,
    seed: int | None,
    draw_path: Path | None,
    export_path: Path | None,
    template_path: Path | None,
) -> None:
    """Summarise an organisation: the built-in Etten-Leur unless --spec, --roster or --graph.

    Prints people per department, team and role, ties per kind, mean degree, clustering and
    the mean shortest path between departments.
    """
    if template_path is not None:
        _template(template_path)
        return
    with clean_errors():
        from diffusion.outputs import check_new_file

        if draw_path is not None:
            check_new_file(draw_path, "--draw")
        if export_path is not None:
            _check_export(export_path)
        G = _load(spec_path, roster_path, ties_path, graph_path, seed)
        from diffusion.compile import compile_graph
        from diffusion.summary import summarise

        _print(summarise(compile_graph(G)))
        if draw_path is not None:
            from diffusion.io import save_figure
            from diffusion.plotting import plot_org_graph

            save_figure(plot_org_graph(G), draw_path, dpi=120)
            click.echo(f"drawn to {draw_path}")
        if export_path is not None:
            for written in _export(G, export_path):
                click.echo(f"written {written}")


def _template(path: Path) -> None:
    from diffusion.org.template import template_rows, write_template

    try:
        write_template(path)
    except FileExistsError:
        fail(f"{path}: exists; give a new file name (an existing file is never replaced)")
    except OSError as exc:
        fail(f"{path}: cannot write it: {exc.strerror}")
    n = len(template_rows())
    click.echo(
        f"wrote {path}: an example roster of {n} people; replace the rows with your "
        f"organisation's (docs/roster.md) and check it with: diffusion org --roster {path}"
    )


def _load(
    spec_path: Path | None,
    roster_path: Path | None,
    ties_path: Path | None,
    graph_path: Path | None,
    seed: int | None,
) -> nx.Graph:
    from diffusion.errors import InputError

    sources = [p for p in (spec_path, roster_path, graph_path) if p is not None]
    if len(sources) > 1:
        raise InputError("", "options", "give at most one of --spec, --roster, --graph")
    if ties_path is not None and roster_path is None:
        raise InputError("", "options", "--ties goes with --roster; add --roster FILE.csv")
    if spec_path is not None:
        from diffusion.org.generate import generate
        from diffusion.org.spec import load_spec

        return generate(load_spec(spec_path), seed=seed)
    if roster_path is not None:
        from diffusion.org.roster import read_roster

        return read_roster(roster_path, ties_path)
    if graph_path is not None:
        from diffusion.org.graphio import read_graph

        return read_graph(graph_path)
    from diffusion.org.etten_leur import etten_leur

    return etten_leur(seed=0 if seed is None else seed)


def _print(summary: OrgSummary) -> None:
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    title = summary.name or "organisation"
    console.print(
        f"[bold]{title}[/bold]: {summary.n_people} people ({summary.n_staff} staff), "
        f"{sum(summary.ties_by_kind.values())} ties, mean degree {summary.mean_degree:.2f}, "
        f"clustering {summary.clustering:.3f}"
    )
    for grouping in ("department", "team", "role"):
        table = Table(title=f"People by {grouping}", title_justify="left")
        table.add_column(grouping)
        table.add_column("people", justify="right")
        for label, count in summary.people_by[grouping].items():
            table.add_row(label or "(none)", str(count))
        console.print(table)
    table = Table(title="Ties by kind", title_justify="left")
    table.add_column("kind")
    table.add_column("ties", justify="right")
    for kind, count in summary.ties_by_kind.items():
        table.add_row(kind, str(count))
    console.print(table)
    if summary.departments:
        table = Table(title="Mean path between departments (ties)", title_justify="left")
        table.add_column("from \\ to")
        for dept in summary.departments:
            table.add_column(dept, justify="right")
        for dept, row in zip(summary.departments, summary.path_lengths, strict=True):
            table.add_row(dept, *("-" if np.isnan(x) else f"{x:.2f}" for x in row))
        console.print(table)


def _check_export(path: Path) -> None:
    """Refuse an export to an unknown format or over an existing file (the roster's ties too)."""
    from diffusion.org.graphio import ties_path_for
    from diffusion.outputs import check_new_file

    check_new_file(path, "--export", EXPORT_SUFFIXES)
    if path.suffix.lower() == ".csv":
        check_new_file(ties_path_for(path), "--export (its ties file)", (".csv",))


def _export(G: nx.Graph, path: Path) -> list[Path]:
    suffix = path.suffix.lower()
    if suffix == ".graphml":
        from diffusion.org.graphio import write_graphml

        write_graphml(G, path)
        return [path]
    if suffix == ".csv":
        from diffusion.org.graphio import ties_path_for
        from diffusion.org.roster import write_roster

        ties = ties_path_for(path)
        write_roster(G, path, ties)
        return [path, ties]
    raise AssertionError(f"unchecked export suffix {suffix!r}")
