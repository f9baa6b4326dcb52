#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL cluster.

    scripts/with_postgres.py -- .venv/bin/pytest -m "not browser" -q
    scripts/with_postgres.py --check        # exit 0 if server binaries are found, 3 if not

The cluster lives in a fresh directory under /tmp, listens on a Unix socket in that directory only
(no TCP port is bound), trusts every local connection and is tuned for speed, not durability. The
command gets `DATABASE_URL` (the socket directory percent-encoded as the host, which
`minxin.env.database_from_url` unquotes) plus `PGHOST`/`PGPORT`/`PGUSER`/`PGDATABASE` for
psql. The server is stopped and the directory removed afterwards, also on failure or Ctrl-C, and
the command's exit code is passed on.

Server binaries are looked up in `$PG_BIN`, then the newest `/usr/lib/postgresql/*/bin`, then PATH.
As root, initdb and the server run as the `postgres` system user (Debian's package creates it).
Standard library only.
"""

# Every subprocess call here runs a fixed program with arguments built by this script.
# ruff: noqa: S603

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from urllib.parse import quote

SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")
DATABASE = "minxin"
SUPERUSER = "postgres"
EXIT_NOT_FOUND = 3
EXIT_USAGE = 2
EXIT_SETUP_FAILED = 4


class SetupError(Exception):
    """The cluster could not be created or started."""


def log(message: str) -> None:
    print(f"[with_postgres] {message}", file=sys.stderr, flush=True)


def _has_server_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in SERVER_BINARIES)


def _version_key(directory: str) -> tuple[int, ...]:
    # /usr/lib/postgresql/15/bin -> (15,); 9.6 -> (9, 6)
    return tuple(int(part) for part in re.findall(r"\d+", Path(directory).parent.name))


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    explicit = os.environ.get("PG_BIN")
    if explicit:
        directory = Path(explicit)
        if _has_server_binaries(directory):
            return directory
        log(f"PG_BIN={explicit} does not hold {', '.join(SERVER_BINARIES)}; looking elsewhere")
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        if _has_server_binaries(Path(candidate)):
            return Path(candidate)
    # PATH may hold wrappers or symlinks (/usr/local/bin/pg_ctl): use the directory initdb really lives in.
    found = shutil.which("initdb")
    if found:
        directory = Path(found).resolve().parent
        if _has_server_binaries(directory):
            return directory
        directory = Path(found).parent
        if _has_server_binaries(directory):
            return directory
    return None


def free_port() -> int:
    # The server binds no TCP port (listen_addresses=''); the port only names the socket file, but a
    # free one keeps psql's and Django's view of "host:port" honest if someone switches to TCP.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Cluster:
    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.as_root = os.geteuid() == 0
        account: pwd.struct_passwd | None = None
        if self.as_root:
            try:
                account = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise SetupError(
                    "running as root, but there is no 'postgres' system user to run the server as "
                    "(install Debian's postgresql package, or run as an ordinary user)"
                ) from None
        # mkdtemp names are lower-case, which the URL needs (urlsplit lower-cases the host).
        self.root = Path(tempfile.mkdtemp(prefix="minxin-pg-", dir="/tmp"))
        self.data = self.root / "data"
        self.logfile = self.root / "log"
        self.port = free_port()
        self.started = False
        if account is not None:
            os.chown(self.root, account.pw_uid, account.pw_gid)
        # Traversable by the server user and by the client (which may be root or not).
        os.chmod(self.root, 0o755)  # noqa: S103

    def _argv(self, argv: Sequence[str]) -> list[str]:
        if not self.as_root:
            return list(argv)
        if shutil.which("runuser"):
            return ["runuser", "-u", SUPERUSER, "--", *argv]
        return ["su", SUPERUSER, "-s", "/bin/sh", "-c", " ".join(_shell_quote(arg) for arg in argv)]

    def _run(self, argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        # cwd: the server user may not be allowed into the caller's directory.
        result = subprocess.run(self._argv(argv), cwd=self.root, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise SetupError(
                f"{' '.join(argv)} failed with exit code {result.returncode}:\n"
                f"{result.stdout}{result.stderr}".rstrip()
            )
        return result

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    def version(self) -> str:
        result = subprocess.run(
            [self.tool("postgres"), "--version"], capture_output=True, text=True, check=False
        )
        return (result.stdout or result.stderr).strip()

    def initdb(self) -> None:
        base = [self.tool("initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8"]
        result = self._run([*base, "--locale=C.UTF-8"], check=False)
        if result.returncode == 0:
            return
        log("initdb --locale=C.UTF-8 failed; retrying with --no-locale")
        shutil.rmtree(self.data, ignore_errors=True)
        self._run([*base, "--no-locale"])

    def start(self) -> None:
        options = " ".join(
            [
                f"-k {self.root}",
                f"-p {self.port}",
                "-c listen_addresses=''",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        result = self._run(
            [
                self.tool("pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "-l",
                str(self.logfile),
                "start",
            ],
            check=False,
        )
        self.started = True  # even a failed start may have left a postmaster behind
        if result.returncode != 0:
            raise SetupError(
                f"pg_ctl start failed with exit code {result.returncode}:\n{result.stdout}{result.stderr}"
                f"\n--- server log ---\n{self._read_log()}".rstrip()
            )

    def create_database(self) -> None:
        createdb = self.bin_dir / "createdb"
        program = str(createdb) if os.access(createdb, os.X_OK) else "createdb"
        result = subprocess.run(
            [program, "-h", str(self.root), "-p", str(self.port), "-U", SUPERUSER, DATABASE],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SetupError(f"createdb {DATABASE} failed:\n{result.stdout}{result.stderr}".rstrip())

    def database_url(self) -> str:
        host = quote(str(self.root), safe="")
        return f"postgres://{SUPERUSER}@{host}:{self.port}/{DATABASE}"

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=self.database_url(),
            PGHOST=str(self.root),
            PGPORT=str(self.port),
            PGUSER=SUPERUSER,
            PGDATABASE=DATABASE,
        )
        return env

    def _read_log(self) -> str:
        try:
            return self.logfile.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def stop_and_remove(self) -> None:
        if self.started and (self.data / "postmaster.pid").exists():
            result = self._run(
                [self.tool("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"], check=False
            )
            if result.returncode != 0:
                log(f"pg_ctl stop failed: {(result.stdout + result.stderr).strip()}; killing the postmaster")
                self._kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)
        if self.root.exists():
            log(f"could not remove {self.root}")

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().splitlines()[0])
            os.kill(pid, signal.SIGQUIT)
        except (OSError, ValueError, IndexError):
            return
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except OSError:
                return
            time.sleep(0.1)


def _shell_quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\"'\"'") + "'"


def _exit_code(returncode: int) -> int:
    # A command killed by signal N reports -N; shells report 128+N.
    return 128 - returncode if returncode < 0 else returncode


def _stop_child(child: subprocess.Popen[bytes]) -> None:
    # A terminal's Ctrl-C reached the child too: give it a moment to clean up, then insist.
    for action, grace in ((None, 5.0), (child.terminate, 20.0), (child.kill, None)):
        if action is not None:
            action()
        try:
            child.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run(command: Sequence[str], bin_dir: Path) -> int:
    cluster = Cluster(bin_dir)
    if str(cluster.root) != str(cluster.root).lower():
        cluster.stop_and_remove()
        raise SetupError(f"temporary directory {cluster.root} is not lower-case, so it cannot be a URL host")
    child: subprocess.Popen[bytes] | None = None
    try:
        started = time.monotonic()
        cluster.initdb()
        cluster.start()
        cluster.create_database()
        log(
            f"started {cluster.version()} from {bin_dir} in {time.monotonic() - started:.1f}s; "
            f"socket {cluster.root}/.s.PGSQL.{cluster.port}"
        )
        log(f"DATABASE_URL={cluster.database_url()}")
        child = subprocess.Popen(list(command), env=cluster.child_env())
        return _exit_code(child.wait())
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if child is not None:
            _stop_child(child)
        log("interrupted")
        return 130
    finally:
        # A second Ctrl-C must not leave a running server or a directory behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        cluster.stop_and_remove()
        log("server stopped, directory removed")


def main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args[:1] == ["--check"]:
        found = find_bin_dir()
        if found is None:
            log("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")
            return EXIT_NOT_FOUND
        print(found)
        return 0
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    if "--" in args:
        args = args[args.index("--") + 1 :]
    if not args:
        log("usage: with_postgres.py [--check] -- COMMAND [ARGS...]")
        return EXIT_USAGE
    bin_dir = find_bin_dir()
    if bin_dir is None:
        log(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in $PG_BIN, "
            "/usr/lib/postgresql/*/bin or PATH; install Debian's 'postgresql' package or set PG_BIN"
        )
        return EXIT_NOT_FOUND
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    try:
        return run(args, bin_dir)
    except SetupError as error:
        log(str(error))
        return EXIT_SETUP_FAILED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
