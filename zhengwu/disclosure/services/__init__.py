"""Writes of the disclosure app, one module per aggregate: ``rules`` (classifications and time limits),
``catalogue`` (items, 索引号, guides, 标准目录), ``requests`` (依申请公开 on the legal clock), ``fees``, ``letters``,
``imports`` (history import) and ``reports`` (年度报告)."""
