"""Alembic environment: plain SQL migrations run over psycopg 3 (through SQLAlchemy's driver)."""

from alembic import context
from sqlalchemy import create_engine, pool

from matcher.db.migrate import sqlalchemy_url

url = context.config.attributes.get("url") or context.config.get_main_option("sqlalchemy.url")
if not url:
    from matcher.config import get_settings
    from matcher.db.connect import database_url

    url = database_url(get_settings())

engine = create_engine(sqlalchemy_url(url), poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, transaction_per_migration=True)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
