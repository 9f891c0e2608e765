"""werkmatch: candidate–vacancy matching for municipal Werk en Inkomen departments.

`matcher` is the domain: it knows nothing of HTTP. The API (`api`), the CLI and the nightly
rematch are three callers of the same service functions in `matcher.service`.
"""

__version__ = "0.1.0"
