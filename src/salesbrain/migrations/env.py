"""Alembic environment: migrations run on the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from salesbrain.db.tables import declared_name, metadata

config = context.config
connection = config.attributes.get("connection")

if connection is None:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("alembic needs a connection or sqlalchemy.url")
    with create_engine(url).begin() as own_connection:
        context.configure(connection=own_connection, target_metadata=metadata,
                          include_name=declared_name)
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                      include_name=declared_name)
    with context.begin_transaction():
        context.run_migrations()
