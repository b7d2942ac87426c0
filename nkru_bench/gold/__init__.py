"""The gold: what is scored and loaded. Records, the number normalizer, seeds, the annotation file
format and its validation, tokens, the Arrow schema, the revision hash, paths, loading. It imports
only ``common``.
"""
