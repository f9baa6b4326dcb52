"""The documented backup (pg_dump, custom format) restores into a fresh database with every row."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.db import connection

from minxin.core.tests.procs import ROOT

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only"),
]


def test_a_backup_restores_every_row_of_every_table(cast) -> None:
    settings = connection.settings_dict
    url = (
        f"postgres://{quote(settings['USER'] or '')}@{quote(settings['HOST'] or '', safe='')}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    result = subprocess.run(
        [sys.executable, "scripts/pg_backup_check.py", "--database-url", url],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "restored identically" in result.stdout
    tables = int(result.stdout.split("pg_backup_check: ")[1].split(" tables")[0])
    assert tables > 30
