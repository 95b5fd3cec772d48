"""E-mail delivery over SMTP: STARTTLS by default, credentials from the environment.

A report travels as an attachment (DOCX or HTML); an alert as a plain-text body. Errors
are classified like the robots': a refused login or a refused recipient is permanent, a
connection problem or a 4xx answer is worth retrying later.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from moderation.alerts.targets import DELIVERED, FAILED, RETRY, Message, Outcome


@dataclass(frozen=True, kw_only=True)
class MailTarget:
    """An SMTP server and the people an alert or report goes to."""

    name: str
    host: str
    port: int = 587
    sender: str
    recipients: tuple[str, ...]
    starttls: bool = True  # refuse to send credentials or reports in clear text
    username_env: str = ""
    password_env: str = ""
    cafile: str | None = None  # a private CA's certificate, when the server uses one
    timeout: float = 20.0


@dataclass(frozen=True)
class Attachment:
    """A file sent with a report: its name, MIME type and bytes."""

    filename: str
    content_type: str  # e.g. "application/vnd.openxmlformats-officedocument…"
    data: bytes


def build_email(target: MailTarget, message: Message, attachments=()) -> EmailMessage:
    """The e-mail: UTF-8 subject and body, each attachment with its own MIME type."""
    email = EmailMessage()
    email["Subject"] = message.safe_title()  # masked, one line: no header injection
    email["From"] = target.sender
    email["To"] = ", ".join(target.recipients)
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain=target.sender.rpartition("@")[2] or "localhost")
    email.set_content(message.plain(), charset="utf-8")
    for attachment in attachments:
        main, _, sub = attachment.content_type.partition("/")
        email.add_attachment(
            attachment.data, maintype=main, subtype=sub, filename=attachment.filename
        )
    return email


def send_mail(target: MailTarget, message: Message, attachments=()) -> Outcome:
    """Send one e-mail; never raises on the network, returns what happened."""
    email = build_email(target, message, attachments)
    try:
        with smtplib.SMTP(target.host, target.port, timeout=target.timeout) as smtp:
            smtp.ehlo()
            if target.starttls:
                context = ssl.create_default_context(cafile=target.cafile)
                smtp.starttls(context=context)
                smtp.ehlo()
            if target.username_env:
                smtp.login(_env(target.username_env), _env(target.password_env))
            refused = smtp.send_message(email)
    except KeyError as missing:
        return Outcome(FAILED, f"set the environment variable {missing.args[0]}")
    except smtplib.SMTPAuthenticationError as error:
        return Outcome(FAILED, f"SMTP login refused: {error.smtp_code}")
    except smtplib.SMTPNotSupportedError as error:
        return Outcome(FAILED, f"SMTP server refused STARTTLS or login: {error}")
    except smtplib.SMTPRecipientsRefused as error:
        return Outcome(FAILED, f"recipients refused: {', '.join(error.recipients)}")
    except smtplib.SMTPResponseException as error:
        state = RETRY if 400 <= error.smtp_code < 500 else FAILED
        return Outcome(state, f"SMTP {error.smtp_code}: {_text(error.smtp_error)}")
    except (TimeoutError, OSError, smtplib.SMTPException) as error:
        return Outcome(RETRY, f"SMTP {target.host}:{target.port}: {type(error).__name__}: {error}")
    if refused:
        return Outcome(FAILED, f"recipients refused: {', '.join(refused)}")
    return Outcome(DELIVERED, "", f"sent to {len(target.recipients)} recipient(s)")


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise KeyError(name)
    return value


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
