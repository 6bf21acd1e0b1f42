"""Buying guides: long-form articles built from catalog data (extracted with ``minipack.extract``).

Empty for now; the guide pages land in a later issue.
"""
