"""Render deploy/nginx/pmo-lens.conf.in for N app processes.

    python3 deploy/nginx/render.py --ports 8501-8504 --server-name pmo.example.org \
        --tls-cert /etc/ssl/pmo.pem --tls-key /etc/ssl/private/pmo.key \
        > /etc/nginx/conf.d/pmo-lens.conf

Each port is one ``pmo-lens@PORT.service`` (deploy/systemd/pmo-lens@.service) on 127.0.0.1.
Without --tls-cert the server listens in plain HTTP (for a test, or behind a load balancer
that ends TLS). Standard library only: it runs on the host's python3, outside the venv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("pmo-lens.conf.in")


def ports(text: str) -> list[int]:
    """``8501-8504`` or ``8501,8502``: the app processes' ports."""
    found: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        found.extend(range(int(first), int(last or first) + 1))
    if not found or any(not 0 < p < 65536 for p in found):
        raise argparse.ArgumentTypeError(f"not a port list: {text!r}")
    return found


def render(
    upstreams: list[str],
    listen: str,
    server_name: str = "_",
    access_log: str = "/var/log/nginx/pmo-lens.access.log",
    tls: tuple[str, str] | None = None,
) -> str:
    """The config for ``upstreams`` (``host:port`` each) on ``listen``; ``tls`` is (cert,
    key) or None for plain HTTP."""
    if not upstreams:
        raise ValueError("no app process to proxy to")
    # max_fails=1: one refused connection takes a restarting process out for 5 s, so its
    # browsers go to another process at once rather than on every request again.
    servers = "\n".join(f"    server {u} max_fails=1 fail_timeout=5s;" for u in upstreams)
    lines = [f"    listen {listen}{' ssl' if tls else ''};"]
    if tls:
        lines += [f"    ssl_certificate {tls[0]};", f"    ssl_certificate_key {tls[1]};"]
    fields = {
        "UPSTREAM_SERVERS": servers,
        "LISTEN": "\n".join(lines),
        "SERVER_NAME": server_name,
        "ACCESS_LOG": access_log,
        "COOKIE_FLAGS": "; Secure" if tls else "",
    }
    text = TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace(f"@{name}@", value)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ports", type=ports, required=True, help="e.g. 8501-8504")
    parser.add_argument("--host", default="127.0.0.1", help="the app processes' address")
    parser.add_argument("--listen", help="nginx's address: default 443 with TLS, else 80")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--access-log", default="/var/log/nginx/pmo-lens.access.log")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    listen = args.listen or ("443" if tls else "80")
    upstreams = [f"{args.host}:{p}" for p in args.ports]
    sys.stdout.write(render(upstreams, listen, args.server_name, args.access_log, tls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
