"""The error every layer raises for configuration that cannot work (caught by the shell)."""


class ConfigurationError(RuntimeError):
    """Configuration that cannot work; the message says what to set."""
