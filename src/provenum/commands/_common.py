"""What every sub-command shares without importing anything heavy."""


class CLIError(Exception):
    """A user error (bad option, unreadable input, unwritable output): the command
    line prints it as one line and exits with status 2."""
