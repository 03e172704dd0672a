"""Reads of the disclosure app: ``requests`` (lists, 预警/超期, export), ``catalogue`` (browsing, timeliness,
coverage) and ``reports`` (the annual report's figures)."""
