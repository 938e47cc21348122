"""Storage: SQLAlchemy tables and queries; SQLite by default, Postgres by URL."""

from salesbrain.db.database import Database
from salesbrain.db.engine import DEFAULT_DB_URL, resolve_db_url

__all__ = ["DEFAULT_DB_URL", "Database", "resolve_db_url"]
