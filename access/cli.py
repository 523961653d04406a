"""The ``--as EMAIL`` option of every command line that writes, and the identity it names."""

from __future__ import annotations

import argparse

from access.roles import Identity, principal
from config import get_config


def principal_arg(text: str) -> str:
    try:
        return principal(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_as_option(parser: argparse.ArgumentParser, service: bool = True) -> None:
    """``--as EMAIL``; ``service``: it defaults to ``[access] service_identity`` (not for role
    changes, which always name their admin)."""
    parser.add_argument(
        "--as",
        dest="acting_as",
        type=principal_arg,
        metavar="EMAIL",
        help="who writes, checked against their roles once roles are set up (default: "
        "[access] service_identity)"
        if service
        else "the admin making the change (needed once roles are set up)",
    )


def identity(args: argparse.Namespace, service: bool = True) -> Identity | None:
    """``--as``, else (``service``) the configured service identity, else None (nobody)."""
    if args.acting_as:
        return Identity.named(args.acting_as)
    configured = get_config().access.service_identity
    return Identity.named(configured, is_service=True) if service and configured else None
