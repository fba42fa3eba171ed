"""The one entry point for `flask` and gunicorn: `create_app()` builds the portal."""
from portal import create_app

__all__ = ["create_app"]
