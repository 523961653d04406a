"""Sign-in and roles: who may write what (roles), the audit of access events (audit), role
changes (grants) and the ``--as`` option of the command lines (cli).

Kept free of imports here: the store imports ``access.roles`` and ``access.audit``, while
``access.grants`` imports the store.
"""
