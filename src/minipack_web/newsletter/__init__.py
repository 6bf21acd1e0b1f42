"""The newsletter: double opt-in signup, one-click unsubscribe, a suppression list and the weekly digest.

Writes live in ``services`` (each in ``transaction.atomic``), reads in
``selectors``; ``delivery`` is the one way mail leaves the site (a queue in
the database, sent off the request, with retries and an exactly-once
discipline against SMTP); ``mail`` builds the messages and holds the SMTP
backend that hands a message over in two steps. The rules that need no
database are in the core (``minipack.newsletter``, ``minipack.digest``).
Why each choice: docs/decisions/0010-newsletter.md.
"""
