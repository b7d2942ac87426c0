"""Interoperability: the gold in and out of annotation tools and shared-task formats.

``bundle`` is the boundary type every format reads and writes; one module per format writes it
(``brat``, ``labelstudio``, ``bsnlp``) and, for the annotation tools, one reads it back
(``brat_import``, ``labelstudio_import``); ``formats`` finds them by name.
"""
