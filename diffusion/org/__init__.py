"""Organisation graphs.

specs and the generator, the built-in Etten-Leur organisation, roster and graph-file import and
export (summaries of a compiled organisation: :mod:`diffusion.summary`).

The graph's attributes and the one-tie-per-pair rule are described in
:mod:`diffusion.org.graph`; the compile step (:func:`diffusion.compile.compile_graph`) turns a
graph into the arrays the engine uses.
"""

from diffusion.org.etten_leur import etten_leur, etten_leur_spec, facts
from diffusion.org.generate import generate
from diffusion.org.graphio import read_graph, write_graphml
from diffusion.org.roster import RosterError, read_roster, write_roster
from diffusion.org.spec import OrgSpec, SpecError, load_spec, spec_from_dict

__all__ = [
    "OrgSpec",
    "RosterError",
    "SpecError",
    "etten_leur",
    "etten_leur_spec",
    "facts",
    "generate",
    "load_spec",
    "read_graph",
    "read_roster",
    "spec_from_dict",
    "write_graphml",
    "write_roster",
]
