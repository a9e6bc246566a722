"""Calibration of a scenario's model parameters to Table 1 of the field study, by ABC.

Modules (import the one you need; none is imported here, so the package costs nothing):

* :mod:`~diffusion.calibrate.summaries` - the statistics from simulated first steps (``Layout``)
* :mod:`~diffusion.calibrate.observed` - the same statistics from the facts (``Observed``)
* :mod:`~diffusion.calibrate.distance` - the scaled, weighted distance (``Distance``)
* :mod:`~diffusion.calibrate.priors` - ``--params path=PRIOR`` (``Prior``, ``parse_priors``)
* :mod:`~diffusion.calibrate.simulator` - parameter vectors to statistics (``Simulator``)
* :mod:`~diffusion.calibrate.rejection` - numpy rejection ABC (``rejection_abc``)
* :mod:`~diffusion.calibrate.abc_smc` - pyabc ABC-SMC (``abc_smc``; optional extra)
* :mod:`~diffusion.calibrate.posterior` - posterior table and predictive check

The method and what Table 1 can identify are in ``docs/calibration.md``.
"""
