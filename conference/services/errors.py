"""The domain errors that services raise. Views turn them into messages and status codes."""


class DomainError(Exception):
    """A rule of the conference said no. `message` is written for the person who asked; `field`
    names the form field it belongs beside, when it belongs to one."""

    status_code = 409
    news = False  # True: the page shows the message as information, not as an error

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status_code = 403


class InvalidToken(DomainError):
    status_code = 400


class InvalidCredentials(DomainError):
    status_code = 400


class RegistrationClosed(DomainError):
    pass


class AlreadyRegistered(DomainError):
    """One active registration per delegate and event: the page says so as news."""

    news = True


class InvalidTransition(DomainError):
    pass


class CapacityReached(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class AlreadyDone(DomainError):
    """The same form was sent twice (a double click, a replay): its work is done already. Not a
    failure: the page says so as news, not as an error."""

    news = True


class NotFound(DomainError):
    status_code = 404


class InvitationRequired(DomainError):
    status_code = 403


class NotADayOfTheEvent(DomainError):
    """A day asked for (of check-ins, say) that the event does not have."""

    status_code = 400


class InvalidEmailText(DomainError):
    """An email's words that cannot be sent: an unknown placeholder, a subject over two lines."""

    status_code = 400
