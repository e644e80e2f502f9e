"""What every command of the command line shares: the one-line error, dates, engines, places.

``fail`` prints ``creditscore: error: ...`` and exits with the code (2: bad input or
usage, 3: refused by policy); the options ``--progress`` and ``--master`` are declared
once here for every command that takes them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

__all__ = ["ENGINES", "fail", "parse_date", "progress_option", "master_option",
           "engine_name", "location", "spark_only", "refuse_invalid"]


def fail(message: str, code: int) -> None:
    """Print the one-line error on stderr and exit with ``code``."""
    typer.echo(f"creditscore: error: {message}", err=True)
    raise typer.Exit(code)


def parse_date(value: str, flag: str) -> dt.date:
    """An ISO date given to ``flag``, or exit 2 naming the flag and the value."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{flag} {value!r} is not a date (expected YYYY-MM-DD)", 2)


def progress_option():
    """The ``--progress/--no-progress`` option of a long command (default: on a terminal only)."""
    return typer.Option(None, "--progress/--no-progress",
                        help="Show progress on stderr (default: only when it is a terminal).")


def master_option():
    """The ``--master`` option of the commands that run on Spark."""
    return typer.Option(None, "--master", help="Spark master for --engine spark "
                        "(spark://host:7077, yarn, local[4]; default: $SPARK_MASTER, else local).")


ENGINES = {"duckdb": "duckdb", "local": "duckdb", "spark": "spark", "pyspark": "spark"}


def engine_name(value: str, local: str = "duckdb") -> str:
    """The engine a user typed (``local``/``duckdb``, ``spark``/``pyspark``), or exit 2."""
    name = ENGINES.get(value.strip().lower())
    if name is None:
        fail(f"--engine {value!r}: choose {local} or spark", 2)
    return name


def location(value: str, engine: str, what: str):
    """A local path (``file://`` accepted) as a Path; a URI as it is, for Spark only."""
    from .features._uri import is_local, local_path, scheme

    if is_local(value):
        return local_path(value)
    if engine != "spark":
        fail(f"{value}: the local engine cannot read or write {scheme(value)}:// {what}; "
             "use --engine spark", 2)
    return value


def spark_only(engine: str, master: str | None, write: str | None) -> None:
    """Exit 2 when ``--master`` or ``--write`` is given without ``--engine spark``."""
    if engine != "spark" and (master or write):
        flag = "--master" if master else "--write"
        fail(f"{flag} is a setting of --engine spark", 2)


def refuse_invalid(record_dir: Path, report) -> None:
    """Exit 2 listing the problems (first line: how many) unless the report is ok."""
    if report.ok:
        return
    lines = report.messages()
    typer.echo(f"creditscore: error: {record_dir}: {lines[0]}", err=True)
    for line in lines[1:]:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(2)
