"""Persistence: SQLAlchemy 2.x models, sessions and Alembic migrations."""
