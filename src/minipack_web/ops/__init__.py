"""Operating Minipack: starting its servers on loopback for the several-servers test, the load benchmark and drills.

``processes`` (free ports, child processes with their logs, waiting until
they answer), ``services`` (PostgreSQL, Redis, gunicorn, nginx, one context
manager each) and ``cluster`` (all of them composed as docs/deploy.md's
recipe; ``python -m minipack_web.ops.cluster`` runs it for a person).
``served_by`` is the one piece the site itself runs: the X-Served-By
header naming the server that answered. No module here imports Django;
the servers run it in their own processes.
"""
