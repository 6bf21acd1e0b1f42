"""Sub-commands of `minipack` kept out of cli.py; each module offers ``add_parsers(subparsers)``."""
