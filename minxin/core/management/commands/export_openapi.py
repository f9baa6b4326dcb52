from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def openapi_document() -> str:
    from minxin.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document of /api/v1/, or check that the committed copy is up to date."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Write the document to this file (default: standard output).")
        parser.add_argument(
            "--check", metavar="FILE", help="Fail if FILE differs from the generated document."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        document = openapi_document()
        if options["check"]:
            path = Path(options["check"])
            if not path.exists() or path.read_text(encoding="utf-8") != document:
                raise CommandError(
                    f"{path} is out of date with the API. Run `make openapi` and commit the result."
                )
            self.stdout.write(f"{path} matches the API.")
            return
        if options["output"]:
            Path(options["output"]).parent.mkdir(parents=True, exist_ok=True)
            Path(options["output"]).write_text(document, encoding="utf-8")
            self.stdout.write(f"wrote {options['output']}")
            return
        sys.stdout.write(document)
