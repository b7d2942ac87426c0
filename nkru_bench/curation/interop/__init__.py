"""Interoperability: the gold in and out of annotation tools and shared-task formats.

``bundle`` is the boundary type every format reads and writes; one module per format writes it
(``brat``, ``labelstudio``, ``inception``, ``bsnlp``) and, for the annotation tools, one reads it
back (``brat_import``, ``labelstudio_import``, ``inception_import``); ``formats`` finds them by
name; ``writing`` is where files are written (a format's files, a bundle into annotations).
"""
