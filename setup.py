"""What pyproject.toml cannot say: the migration scripts ship as the package
`rembuk_migrations`, read from alembic/. The directory keeps its name (and `alembic.ini`
keeps working for developers), but it has no __init__.py and is never installed under that
name, which is the Alembic library's. The package list is found, so new packages are
included without editing this file."""

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["shared*", "bot*", "processor*", "cli*"]),
        "rembuk_migrations",
        "rembuk_migrations.versions",
    ],
    package_dir={"rembuk_migrations": "alembic"},
)
