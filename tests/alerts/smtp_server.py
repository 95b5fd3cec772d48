"""A local SMTP server (aiosmtpd) that requires STARTTLS and a login, and keeps what it gets."""

from __future__ import annotations

import socket
import ssl
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "desk@zzrb.test", "smtp-password-1"


class Mailbox:
    """aiosmtpd handler: every accepted message, parsed."""

    def __init__(self):
        self.messages = []
        self.fail_next: list[str] = []  # SMTP replies to give instead of accepting, in order

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's naming)
        """Accept (or refuse, when a failure is queued) one message."""
        if self.fail_next:
            return self.fail_next.pop(0)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode() == USER and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@contextmanager
def smtp_server(ca):
    """STARTTLS-only SMTP on 127.0.0.1 with a certificate from the test CA `ca` (trustme)."""
    mailbox = Mailbox()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    with socket.socket() as probe:  # aiosmtpd needs a real port to check it started
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=_authenticate,
        auth_require_tls=True,
    )
    controller.start()
    try:
        mailbox.port = port
        yield mailbox
    finally:
        controller.stop()
