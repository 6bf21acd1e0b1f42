"""Minipack's domain core: pure Python, no Django.

Units and parsing (``units``), records with claims and sources (``records``),
spec checks (``checks``), catalog files (``catalog``), article extraction
(``extract``) and the shipped data files (``data/``).
"""
