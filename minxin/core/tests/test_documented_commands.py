"""The commands the README and the developer docs print run as printed in a clone, with nothing but the
development `.env` that `make` writes (no DEBUG, SECRET_KEY or DATABASE_URL in the environment)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from minxin.core.tests.procs import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "development.md", ROOT / "docs" / "operations.md"]
COMMAND = re.compile(r"\.venv/bin/python manage\.py ([a-z_]+)")
BARE = re.compile(r"(?<![/\w])python3? manage\.py")


def documented_subcommands() -> set[str]:
    found: set[str] = set()
    for path in DOCS:
        found.update(COMMAND.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def clone_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("clone")
    database = folder / "demo.sqlite3"
    text = (ROOT / "scripts" / "dev.env").read_text(encoding="utf-8")
    assert "DATABASE_URL=sqlite:///demo.sqlite3" in text
    (folder / ".env").write_text(text.replace("sqlite:///demo.sqlite3", f"sqlite:///{database}"))
    ours = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in ours}
    return env | {"MINXIN_ENV_FILE": str(folder / ".env")}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_the_docs_print_manage_py_with_the_environments_python() -> None:
    for path in DOCS:
        bare = [line for line in path.read_text(encoding="utf-8").splitlines() if BARE.search(line)]
        assert bare == [], f"{path.name}: write `.venv/bin/python manage.py …`: {bare}"
    assert {"create_api_token", "worker", "load_demo"} <= documented_subcommands()


def test_every_documented_command_starts_without_any_environment(clone_env: dict[str, str]) -> None:
    names = sorted(documented_subcommands())
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = pool.map(lambda name: manage(name, "--help", env=clone_env), names)
        results = dict(zip(names, outcomes, strict=True))
    failed = {name: result.stderr[-500:] for name, result in results.items() if result.returncode != 0}
    assert failed == {}


def test_the_readme_token_command_works_as_printed(clone_env: dict[str, str]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    printed = re.search(r"\.venv/bin/python manage\.py create_api_token --user NAME[^`\n]*", readme)
    assert printed is not None
    assert manage("migrate", "--noinput", "-v0", env=clone_env).returncode == 0
    create_user = "from minxin.accounts.models import User; User.objects.create_user('lin')"
    created = manage("shell", "-c", create_user, env=clone_env)
    assert created.returncode == 0, created.stderr
    args = printed.group(0).removeprefix(".venv/bin/python manage.py ").replace("NAME", "lin").split()
    result = manage(*args, env=clone_env)
    assert result.returncode == 0, result.stderr
    assert re.search(r"\b[\w-]{32,}\b", result.stdout), result.stdout


def test_the_env_file_fills_only_what_the_environment_leaves_unset(tmp_path: Path) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from minxin.env import load_env_file

    env_file = tmp_path / ".env"
    env_file.write_text("# comment\nMINXIN_T_ONE=from-file\nMINXIN_T_TWO='quoted'\n")
    os.environ["MINXIN_T_ONE"] = "from-environment"
    try:
        load_env_file(env_file)
        assert os.environ["MINXIN_T_ONE"] == "from-environment"
        assert os.environ["MINXIN_T_TWO"] == "quoted"
    finally:
        os.environ.pop("MINXIN_T_ONE", None)
        os.environ.pop("MINXIN_T_TWO", None)
    env_file.write_text("MINXIN_T_ONE=x\nnot a setting\n")
    with pytest.raises(ImproperlyConfigured, match=r"\.env:2"):
        load_env_file(env_file)
    os.environ.pop("MINXIN_T_ONE", None)


def test_a_deployment_with_a_secret_key_never_reads_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=1\n")
    env = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECRET_KEY"}}
    result = subprocess.run(
        [sys.executable, "-c", "import minxin.settings as s; print(s.DEBUG)"],
        cwd=ROOT,
        env=env | {"MINXIN_ENV_FILE": str(env_file), "SECRET_KEY": "k" * 50},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "False", result.stderr
