"""Minipack's web layer: Django 5.2 on top of the pure ``minipack`` core.

Apps by capability (``catalog``, ``guides``, ``community``, ``api``). Views
are thin, writes go through each app's ``services``, reads through its
``selectors``, and every rule about sizes, prices and claims stays in the
core.
"""
