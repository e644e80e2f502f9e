"""Where the Spark engine runs: PySpark, Java and the session.

:func:`spark_session` reuses an active session, else builds one from the
usual configuration: ``SPARK_REMOTE`` (Spark Connect: no local Java
needed), else ``master`` / ``$SPARK_MASTER`` / ``spark.master`` from
``spark-submit`` or ``spark-defaults.conf`` (default ``local[*]``). Classic
mode needs Java (``$JAVA_HOME/bin/java``, else ``java`` on PATH; 17+ for
PySpark 4): missing, a clear :class:`InputError` names what to set. Without
PySpark the error names the ``spark`` extra (``pip install
'creditscore[spark]'``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from .._errors import InputError

__all__ = ["require_pyspark", "find_java", "spark_session", "configure", "SESSION_DEFAULTS"]

MSG_NO_PYSPARK = (
    "the Spark engine needs PySpark, which is not installed: install the spark extra "
    "(pip install 'creditscore[spark]')"
)
MSG_NO_JAVA = (
    "Spark needs Java {need}+ and none was found: set JAVA_HOME to a JDK {need}+ or put "
    "`java` on PATH (or set SPARK_REMOTE to use a Spark Connect server)"
)
MSG_BAD_JAVA_HOME = (
    "JAVA_HOME={home} holds no bin/java: set JAVA_HOME to a JDK {need}+ (or unset it to use "
    "`java` on PATH)"
)
MSG_OLD_JAVA = (
    "{java} is Java {got}; PySpark {pyspark} needs Java {need}+: set JAVA_HOME to a newer JDK"
)
MSG_JAVA_BROKEN = "{java} -version failed ({error}); set JAVA_HOME to a working JDK {need}+"
SESSION_DEFAULTS = {
    "spark.app.name": "creditscore",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}


def require_pyspark():
    """The ``pyspark`` module, or an :class:`InputError` naming the ``spark`` extra."""
    try:
        import pyspark
    except ImportError as exc:
        raise InputError(MSG_NO_PYSPARK) from exc
    return pyspark


def _java_needed(pyspark_version: str) -> int:
    major = int(re.match(r"\d+", pyspark_version).group(0))
    return 17 if major >= 4 else 8


def _java_major(text: str) -> int | None:
    """The major version from ``java -version`` output ('1.8.0_392' -> 8, '17.0.15' -> 17)."""
    found = re.search(r'version "(\d+)(?:\.(\d+))?', text)
    if not found:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def find_java(pyspark_version: str | None = None) -> str:
    """The ``java`` executable Spark will start, checked to run and to be recent enough.

    ``$JAVA_HOME/bin/java`` when ``JAVA_HOME`` is set (as PySpark's launcher
    does), else ``java`` on PATH.

    Raises
    ------
    InputError
        No Java, a ``JAVA_HOME`` without ``bin/java``, or a Java too old for
        this PySpark, naming what to set.
    """
    if pyspark_version is None:
        pyspark_version = require_pyspark().__version__
    need = _java_needed(pyspark_version)
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        if not (java.is_file() and os.access(java, os.X_OK)):
            raise InputError(MSG_BAD_JAVA_HOME.format(home=home, need=need))
        java = str(java)
    else:
        java = shutil.which("java")
        if java is None:
            raise InputError(MSG_NO_JAVA.format(need=need))
    try:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InputError(MSG_JAVA_BROKEN.format(java=java, error=exc, need=need)) from exc
    got = _java_major(done.stderr + done.stdout)
    if done.returncode != 0 or got is None:
        error = (done.stderr or done.stdout).strip().splitlines()
        raise InputError(MSG_JAVA_BROKEN.format(
            java=java, error=error[0] if error else f"exit {done.returncode}", need=need))
    if got < need:
        raise InputError(MSG_OLD_JAVA.format(java=java, got=got, pyspark=pyspark_version,
                                             need=need))
    return java


def spark_session(master: str | None = None, *, conf: dict | None = None):
    """The active SparkSession, or a new one from the usual Spark configuration.

    Parameters
    ----------
    master : str, optional
        ``spark.master`` of a new session (``local[2]``, ``spark://host:7077``,
        ``yarn``, ``k8s://...``). Default: ``$SPARK_MASTER``, else what
        ``spark-submit``/``spark-defaults.conf`` say, else ``local[*]``.
        With ``$SPARK_REMOTE`` set, a Spark Connect session is made instead.
    conf : dict, optional
        More Spark settings for a new session (they win over the defaults:
        UTC session time zone, ANSI mode on, no console progress bar).

    Returns
    -------
    pyspark.sql.SparkSession
        With ``spark.sql.session.timeZone`` set to UTC.

    Raises
    ------
    InputError
        PySpark missing (naming the ``spark`` extra), or Java missing or too
        old for a local or classic session (naming JAVA_HOME / PATH).
    """
    pyspark = require_pyspark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None and master is None:
        return configure(active)
    settings = {**SESSION_DEFAULTS, **(conf or {})}
    builder = SparkSession.builder
    remote = os.environ.get("SPARK_REMOTE")
    if remote and master is None:
        builder = builder.remote(remote)
        settings.pop("spark.ui.showConsoleProgress")
    else:
        submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # spark-submit started the JVM
        if not submitted:
            find_java(pyspark.__version__)
        master = master or os.environ.get("SPARK_MASTER")
        if master:
            builder = builder.master(master)
        if master.startswith("local") if master else not submitted:
            # Python workers of a local session must import this package: use this interpreter
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return configure(builder.getOrCreate())


def configure(session):
    """The session with a UTC session time zone (dates compare as on DuckDB)."""
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


