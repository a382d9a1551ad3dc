"""Send an alert email with *our* plain-text part, using apprise's reading of the URL.

Apprise's email plugin builds the text/plain alternative of an HTML email by converting the
HTML itself, which drops the highlighted phrases, the bullet layout and the line wrapping
our text template takes care of. So for ``mailto://``/``mailtos://`` apprise parses the URL
— host, port, TLS mode, login, sender, recipients, cc, bcc and its presets for well-known
providers — and this module sends one ``multipart/alternative`` message per recipient, as
apprise would, with the rendered text and HTML parts. Failures come back as a reason (the
server's words, never the password), not an exception.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from .render import RenderedEmail


def _addr(pair: Any) -> str:
    return formataddr((pair[0] or "", pair[1]))


def build_messages(plugin: Any, mail: RenderedEmail, *, app_id: str = "jtai-watch") -> list[tuple[EmailMessage, list[str]]]:
    """One message per recipient, with every (envelope) address it goes to."""
    out = []
    cc, bcc = sorted(plugin.cc), sorted(plugin.bcc)
    for target in plugin.targets:
        msg = EmailMessage()
        msg["Subject"] = mail.subject
        msg["From"] = _addr(plugin.from_addr)
        msg["To"] = _addr(target)
        if cc:
            msg["Cc"] = ", ".join(formataddr((plugin.names.get(a) or "", a)) for a in cc)
        if plugin.reply_to:
            msg["Reply-To"] = ", ".join(sorted(plugin.reply_to))
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=plugin.from_addr[1].rpartition("@")[2] or None)
        msg["X-Application"] = app_id
        for key, value in (plugin.headers or {}).items():
            msg[key] = value
        msg.set_content(mail.text)
        msg.add_alternative(mail.html, subtype="html")
        out.append((msg, [target[1], *cc, *bcc]))
    return out


def send_email(plugin: Any, mail: RenderedEmail) -> tuple[bool, str | None]:
    """Send ``mail`` as apprise's email ``plugin`` (``Apprise.instantiate(url)``) is set up."""
    from apprise.plugins.email.common import SecureMailMode

    if not plugin.targets:
        return False, "no recipient: add to=address to the mailto URL"
    context = ssl.create_default_context()
    if not plugin.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    timeout = plugin.socket_connect_timeout or 15
    failed: list[str] = []
    try:
        if plugin.secure_mode == SecureMailMode.SSL:
            server: smtplib.SMTP = smtplib.SMTP_SSL(plugin.smtp_host, plugin.port, timeout=timeout, context=context)
        else:
            server = smtplib.SMTP(plugin.smtp_host, plugin.port, timeout=timeout)
        with server:
            if plugin.secure_mode == SecureMailMode.STARTTLS:
                server.starttls(context=context)
            if plugin.user and plugin.password:
                server.login(plugin.user, plugin.password)
            for msg, rcpts in build_messages(plugin, mail):
                try:
                    server.send_message(msg, from_addr=plugin.from_addr[1], to_addrs=rcpts)
                except smtplib.SMTPException as exc:
                    failed.append(f"{msg['To']}: {_smtp_reason(exc)}")
    except smtplib.SMTPAuthenticationError as exc:
        return False, f"the mail server refused the login ({exc.smtp_code})"
    except (OSError, smtplib.SMTPException) as exc:
        return False, f"could not send through {plugin.smtp_host}:{plugin.port}: {_smtp_reason(exc)}"
    if failed:
        return False, "; ".join(failed)
    return True, None


def _smtp_reason(exc: BaseException) -> str:
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", None)
    if code is not None:
        text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error or "")
        return f"{code} {text}".strip()
    return f"{type(exc).__name__}: {exc}"
