"""`rulekit serve`: the answers rulekit gives, as pages for the school office.

Every page is a view over the library calls the CLI makes (docs/web.md). Nothing on a page
changes the policy or the records: uploads are read in a temporary folder and removed.
"""
from .app import create_app
from .state import Settings

__all__ = ["Settings", "create_app"]
