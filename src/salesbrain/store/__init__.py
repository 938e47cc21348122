"""Storage: SQLAlchemy tables and queries; SQLite by default, Postgres by URL."""

from salesbrain.store.engine import DEFAULT_DB_URL, resolve_db_url
from salesbrain.store.store import Store

__all__ = ["DEFAULT_DB_URL", "Store", "resolve_db_url"]
