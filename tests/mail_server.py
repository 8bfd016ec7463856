"""A real SMTP server on the loopback interface (aiosmtpd) and what it received."""

import re
import socket
from dataclasses import dataclass, field
from email import message_from_string, policy
from email.message import EmailMessage


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    data: str


@dataclass
class MailHandler:
    received: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.received.append(
            ReceivedMail(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.content.decode("utf8", errors="replace"),
            )
        )
        return "250 Message accepted for delivery"


@dataclass
class MailServer:
    host: str
    port: int
    handler: MailHandler

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    def settings(self) -> dict:
        return {
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": self.host,
            "MAIL_PORT": self.port,
            "MAIL_TIMEOUT": 5,
        }

    def messages_to(self, recipient: str) -> list[EmailMessage]:
        """What the recipient got, parsed, bodies decoded from their transfer encoding."""
        return [
            message_from_string(mail.data, policy=policy.default)
            for mail in self.received
            if recipient in mail.recipients
        ]

    def links_to(self, recipient: str, path_fragment: str) -> list[str]:
        """The links containing `path_fragment` in the plain text of the recipient's emails."""
        return [
            url
            for message in self.messages_to(recipient)
            for url in re.findall(r"https?://\S+", message.get_body(("plain",)).get_content())
            if path_fragment in url
        ]


def free_port() -> int:
    """A port on the loopback interface that nothing listens on, for now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
