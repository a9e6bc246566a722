"""Parameter sweeps and sensitivity analysis, locally or on a Dask cluster.

The modules, in the order a sweep uses them:

* :mod:`~diffusion.sweeps.spec`: ``--param PATH=SPEC`` (``a:b:n``, ``log:a:b:n``, ``[x, y]``);
* :mod:`~diffusion.sweeps.design`: the points (grid, Latin hypercube, Sobol-Saltelli with a
  dummy input), and how each point's runs are seeded (common random numbers);
* :mod:`~diffusion.sweeps.plan`: every point loaded and validated before any work starts;
* :mod:`~diffusion.sweeps.execute`: one task per point, on Dask or in this process;
* :mod:`~diffusion.sweeps.store`: the xarray + zarr store (point, run, step, group, state),
  written point by point by the workers, with ``--resume`` and ``summary.csv``;
* :mod:`~diffusion.sweeps.sensitivity`: Sobol indices (SALib) with the dummy as noise floor.

Nothing heavy is imported here: scipy.stats.qmc, dask, xarray, zarr and SALib are imported
inside the functions that need them (install the extras ``dask``, ``sweep`` and
``sensitivity``).
"""
