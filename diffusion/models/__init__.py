"""Contagion models: pure array step functions over state arrays shaped ``(runs, nodes)``.

Each model family lives in its own module and depends on numpy and scipy only.
"""
