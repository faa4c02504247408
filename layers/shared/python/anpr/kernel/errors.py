"""Domain exceptions, mapped to HTTP answers in one place (anpr.kernel.http)."""


class DomainError(Exception):
    status = 400


class BadRequest(DomainError):
    status = 400


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409
