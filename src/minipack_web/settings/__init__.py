"""Settings per environment: ``base`` holds what they share, ``dev``, ``test`` and ``prod`` extend it.

The environment is read in one place, ``env``; no other settings module
touches ``os.environ``.
"""
