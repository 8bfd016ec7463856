"""The domain errors that services raise. Views turn them into messages and status codes."""


class DomainError(Exception):
    """A rule of the conference said no. `message` is written for the person who asked."""

    status_code = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(DomainError):
    status_code = 403


class InvalidToken(DomainError):
    status_code = 400


class InvalidCredentials(DomainError):
    status_code = 400


class EmailNotVerified(DomainError):
    status_code = 403


class RegistrationClosed(DomainError):
    pass


class AlreadyRegistered(DomainError):
    pass


class InvalidTransition(DomainError):
    pass


class CapacityReached(DomainError):
    pass


class AlreadyExists(DomainError):
    pass


class AlreadyDone(DomainError):
    """The same form was sent twice (a double click, a replay): its work is done already."""


class NotFound(DomainError):
    status_code = 404


class InvitationRequired(DomainError):
    status_code = 403
