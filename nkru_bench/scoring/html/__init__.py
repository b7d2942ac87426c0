"""The self-contained HTML error report: markup, documents with marked outcomes, charts, pages."""
