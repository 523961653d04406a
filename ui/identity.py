"""Who is using the app, for the write path's role checks and the audit.

Sign-in is not built yet: the app serves one local user, who may do everything
(``Identity.local``: an admin even once roles exist, see access/roles.py). That is why the
README says not to serve it beyond 127.0.0.1.
"""

from __future__ import annotations

from access.roles import Identity


def current(name: str = "local user") -> Identity:
    return Identity.local(name)
