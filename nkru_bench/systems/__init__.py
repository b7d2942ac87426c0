"""Systems that make predictions: the runner and its protocol, ``--cmd`` programs, name resolution
and the built-in baselines. It imports ``scoring``, ``gold`` and ``common``.
"""
