"""Errors a user can act on; the CLI turns each into one clear message and an exit code."""


class InnolinkError(Exception):
    """Base class: the message is meant for the person running the job."""

    exit_code = 1


class ConfigError(InnolinkError):
    exit_code = 2


class SetupError(InnolinkError):
    """The machine lacks something `make setup` installs."""

    exit_code = 3


class SchemaError(InnolinkError):
    """A DataFrame does not fit the table it is written to: a bug in the stage, not bad input."""


class CountMismatch(InnolinkError):
    """records in != out + rejected: some record was lost or counted twice."""
