from __future__ import annotations

import logging
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from minxin.core.jobs import Job, registered_jobs

logger = logging.getLogger("minxin.worker")


class Command(BaseCommand):
    help = "Run the periodic background jobs (a long-running process; no broker needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once, then exit.")
        parser.add_argument("--tick", type=float, default=1.0, help="Seconds between looks at the schedule.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = False
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        jobs = registered_jobs()
        if options["once"]:
            for job in jobs:
                self._run(job)
            return
        self.stdout.write(f"worker: {len(jobs)} jobs: {', '.join(job.name for job in jobs)}")
        next_run = {job.name: 0.0 for job in jobs}
        while not self.stopping:
            for job in jobs:
                if self.stopping:
                    break
                if time.monotonic() >= next_run[job.name]:
                    # A long-lived process must drop connections the database closed meanwhile.
                    close_old_connections()
                    self._run(job)
                    next_run[job.name] = time.monotonic() + job.every_seconds
            time.sleep(options["tick"])
        self.stdout.write("worker: stopped")

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _run(self, job: Job) -> None:
        started = time.monotonic()
        try:
            done = job.run()
        except Exception:
            # One failing job must not stop the others; the next tick tries again.
            logger.exception("job %s failed", job.name)
            return
        if done:
            logger.info("job %s: %d in %.2f s", job.name, done, time.monotonic() - started)
