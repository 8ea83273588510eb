"""`rulekit serve`: the web pages for the school office (docs/web.md)."""
from __future__ import annotations

import click

from ..i18n import N_

from .common import guarded, locate, policy_option


@click.command(help=N_("Serve the pages (who, duties, check, the regulation, amendments) at http://HOST:PORT/."))
@policy_option
@click.option("--records", type=click.Path(), help=N_("School records (a folder of CSV files, or one file) to check."))
@click.option("--roster", type=click.Path(), help=N_("Staff records, to answer with names (default: the staff in --records)."))
@click.option("--host", default="127.0.0.1", show_default=True,
              help=N_("Address to listen on; anything but loopback needs --token."))
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--token", help=N_("Required on a non-loopback --host; `--token generate` makes one and prints it."))
@click.option("--max-upload-mb", default=20, show_default=True, type=click.IntRange(1, 1024),
              help=N_("Largest upload accepted on the check page."))
@guarded
def serve(policy_path, records, roster, host, port, token, max_upload_mb):
    from ..diagnostics import Diagnostic, Span, UsageError
    from ..i18n import _
    from ..web import Settings, create_app
    from ..web.security import is_loopback

    loopback = is_loopback(host)
    if token == "generate":
        import secrets
        token = secrets.token_urlsafe(24)
    if not loopback and not token:
        raise UsageError([Diagnostic("token-required", _("--host {host} is reachable from other machines: it needs "
                                                         "--token").format(host=host), Span("<command line>"),
                                     hint=_("rulekit serve --host {host} --token generate").format(host=host))])
    settings = Settings(locate(policy_path), records, roster, token, max_upload_mb * 1024 * 1024)
    app = create_app(settings, loopback_only=loopback and not token)
    app.state.rulekit.history()  # a broken policy stops here, with its findings, not on the first page
    return _run(app, host, port, token)


def _run(app, host: str, port: int, token: str | None) -> int:
    import socket
    import sys

    import uvicorn

    from ..i18n import _

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)  # before the address is printed: a browser opened at once waits in the queue, not refused
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{sock.getsockname()[1]}/" + (f"?token={token}" if token else "")
    click.echo(_("rulekit serve: open {address} (Ctrl+C stops it)").format(address=address))
    sys.stdout.flush()  # a test or a service manager reads the address from a pipe
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    server.run(sockets=[sock])
    return 0
