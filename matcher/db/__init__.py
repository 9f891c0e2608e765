"""Database access: psycopg 3 without an ORM.

Repositories take a connection and never commit; the caller (a request, a CLI command, a batch
chunk) owns the transaction. The ground floor: imports only `matcher.config` and `matcher.errors`.
"""

from matcher.db.connect import Conn, Database, open_database

__all__ = ["Conn", "Database", "open_database"]
