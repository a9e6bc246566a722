"""Calibration of a scenario's model parameters to Table 1 of the field study, by ABC.

Modules (import the one you need; none is imported here, so the package costs nothing):

* :mod:`~diffusion.calibration.summaries` - the statistics from simulated first steps (``Layout``)
* :mod:`~diffusion.calibration.observed` - the same statistics from the facts (``Observed``)
* :mod:`~diffusion.calibration.distance` - the scaled, weighted distance (``Distance``)
* :mod:`~diffusion.calibration.priors` - ``--params path=PRIOR`` (``Prior``, ``parse_priors``)
* :mod:`~diffusion.calibration.simulator` - parameter vectors to statistics (``Simulator``)
* :mod:`~diffusion.calibration.rejection` - numpy rejection ABC (``rejection_abc``)
* :mod:`~diffusion.calibration.abc_smc` - pyabc ABC-SMC (``abc_smc``; optional extra)
* :mod:`~diffusion.calibration.posterior` - posterior table and predictive check

The method and what Table 1 can identify are in ``docs/calibration.md``.
"""
