"""The parent's database: it lives in ``azura_parent.store.database``; this name keeps old imports working."""

from .store.database import Database, DatabaseError, Migration, load_migrations, split_statements
from .store.sqlite import BUSY_TIMEOUT_MS

__all__ = ["BUSY_TIMEOUT_MS", "Database", "DatabaseError", "Migration", "load_migrations", "split_statements"]
