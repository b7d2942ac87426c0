"""Scoring: predictions read and checked against the gold, matched, counted and turned into rates
with intervals, then rendered (terminal, Markdown, HTML). It imports ``gold`` and ``common``.
"""
