"""Curating the gold: build (Parquet, card, Croissant), add-doc, pre-annotation, agreement and the
interchange formats of annotation tools. It may import every package below it.
"""
