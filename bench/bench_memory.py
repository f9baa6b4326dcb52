"""Memory of one app process under a long, realistic mix of requests (issue 12, point 5).

One gunicorn sync worker (the hot path in front of Django, as docs/deploy.md runs it) on a throwaway
PostgreSQL (scripts/with_postgres.py, unless DATABASE_URL already names one), seeded by
bench/queue_seed.py. This script sends N requests (default 100,000) from a few client threads, a mix of:
/healthz, public pages (home, the hall's page and status), API reads (hall, queue, catalog search),
unknown hall codes of random length (up to 200 characters, API and pages: the lookups that must not be
memoised) and numbers taken by the kiosk. It reads the worker's RSS at start, after 10k, 50k and 100k
requests and prints them against the goal: at most 150 MB, and no growth after warm-up (the 10k figure).

    .venv/bin/python bench/bench_memory.py [--requests 100000] [--clients 4]

It exits 0 whether or not the goal is met (the figures say), 1 if any request got a 5xx or failed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queuebench.stack import (
    HOST,
    ROOT,
    Stack,
    app_env,
    migrate,
    rss_mb,
    run_seed,
    worker_pids,
)

GOAL_RSS_MB = 150.0
GOAL_GROWTH_MB = 5.0  # "no growth": what the allocator's noise may add between 10k and 100k
CHECKPOINTS = (10_000, 50_000, 100_000)


def reexec_with_postgres(argv: list[str]) -> None:
    helper = ROOT / "scripts" / "with_postgres.py"
    found = subprocess.run([sys.executable, str(helper), "--check"], capture_output=True, text=True)
    if found.returncode != 0:
        print("bench_memory: skipped (no PostgreSQL server binaries)")
        sys.exit(0)
    os.execv(sys.executable, [sys.executable, str(helper), "--", sys.executable, __file__, *argv])


def _unknown_code(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_lowercase + string.digits + "-", k=rng.randint(8, 200)))


def request_for(index: int, seed: dict[str, object]) -> tuple[str, str, dict[str, str], bytes | None]:
    """The index-th request of the mix (deterministic per index): method, path, headers, body."""
    rng = random.Random(index)
    hall = str(seed["hall"])
    slot = index % 100
    if slot < 25:
        return "GET", "/healthz", {}, None
    if slot < 33:
        return "GET", "/", {}, None
    if slot < 38:
        return "GET", f"/halls/{hall}/", {}, None
    if slot < 42:
        return "GET", f"/halls/{hall}/status/", {}, None
    if slot < 55:
        return "GET", f"/api/v1/halls/{hall}/queue", {}, None
    if slot < 62:
        return "GET", f"/api/v1/halls/{hall}", {}, None
    if slot < 67:
        word = rng.choice(["身份证", "营业执照", "社保", "公积金", _unknown_code(rng)[:20]])
        return "GET", f"/api/v1/items?q={_quote(word)}", {}, None
    if slot < 80:
        return "GET", f"/api/v1/halls/{_unknown_code(rng)}/queue", {}, None
    if slot < 90:
        return "GET", f"/halls/{_unknown_code(rng)}/", {}, None
    body = json.dumps({"service": seed["issue_services"]["1"], "channel": "kiosk"}).encode()  # type: ignore[index]
    headers = {"Authorization": f"Bearer {seed['kiosk_token']}", "Content-Type": "application/json"}
    return "POST", f"/api/v1/halls/{hall}/tickets", headers, body


KINDS = (
    (25, "healthz"),
    (42, "public pages"),
    (67, "API reads"),
    (90, "unknown hall codes"),
    (100, "numbers taken"),
)


def kind_of(index: int) -> str:
    return next(kind for limit, kind in KINDS if index % 100 < limit)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


class Load:
    def __init__(self, port: int, seed: dict[str, object], total: int) -> None:
        self.port, self.seed, self.total = port, seed, total
        self.next_index = 0
        self.done = 0
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()
        self.by_kind: Counter[tuple[str, int]] = Counter()
        self.seconds_by_kind: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.checkpoint_hit = threading.Condition(self.lock)

    def take(self) -> int | None:
        with self.lock:
            if self.next_index >= self.total:
                return None
            self.next_index += 1
            return self.next_index - 1

    def run(self) -> None:
        while (index := self.take()) is not None:
            method, path, headers, body = request_for(index, self.seed)
            status, began = 0, time.monotonic()
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError as error:
                with self.lock:
                    self.failures[type(error).__name__] += 1
            with self.lock:
                self.statuses[status] += 1
                self.by_kind[(kind_of(index), status)] += 1
                self.seconds_by_kind[kind_of(index)] += time.monotonic() - began
                self.done += 1
                self.checkpoint_hit.notify_all()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    options = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        reexec_with_postgres(sys.argv[1:])
    env = app_env(os.environ["DATABASE_URL"])
    migrate(env)
    seed = run_seed(env, "seed", "--levels", "1")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as workdir:
        production_static(env, Path(workdir))
        stack = Stack(env, Path(workdir))
        try:
            return measure(stack, seed, options.requests, options.clients)
        finally:
            stack.stop()


def production_static(env: dict[str, str], workdir: Path) -> None:
    """Pages without DEBUG name their static files through WhiteNoise's manifest, which `collectstatic`
    writes. Collect into a temporary STATIC_ROOT (a settings module wrapping minxin.settings), not into
    the checkout."""
    (workdir / "bench_memory_settings.py").write_text(
        f"from minxin.settings import *  # noqa: F403\nSTATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(workdir), str(ROOT), env.get("PYTHONPATH", "")]))
    env["DJANGO_SETTINGS_MODULE"] = "bench_memory_settings"
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)


def measure(stack: Stack, seed: dict[str, object], total: int, clients: int) -> int:
    api = stack.gunicorn(1)
    worker = worker_pids(api.process.pid)[0]
    figures = [("start (after /healthz)", 0, rss_mb(worker))]
    load = Load(api.port, seed, total)
    threads = [threading.Thread(target=load.run, daemon=True) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    checkpoints = [n for n in CHECKPOINTS if n < total] + [total]
    with load.lock:
        for checkpoint in checkpoints:
            load.checkpoint_hit.wait_for(lambda c=checkpoint: load.done >= c)
            figures.append((f"after {checkpoint:,} requests", checkpoint, rss_mb(worker)))
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    if worker not in worker_pids(api.process.pid):
        print("the worker was replaced during the run: its figures are not comparable")
        return 1
    report(figures, load, seconds, total)
    errors = sum(count for status, count in load.statuses.items() if status >= 500 or status == 0)
    return 1 if errors else 0


def report(figures: list[tuple[str, int, float]], load: Load, seconds: float, total: int) -> None:
    print(f"\nbench_memory: one gunicorn sync worker, {total:,} requests in {seconds:.0f} s ", end="")
    print(f"({total / seconds:.0f}/s, {len(os.sched_getaffinity(0))} cores shared with other work)")
    print(f"{'when':<28}{'RSS MB':>10}")
    for label, _count, mb in figures:
        print(f"{label:<28}{mb:>10.1f}")
    peak = max(mb for _label, _count, mb in figures)
    warm = next((mb for _label, count, mb in figures if count >= CHECKPOINTS[0]), figures[-1][2])
    growth = figures[-1][2] - warm
    print(f"peak {peak:.1f} MB (goal ≤ {GOAL_RSS_MB:.0f} MB): {'met' if peak <= GOAL_RSS_MB else 'NOT met'}")
    verdict = "met" if growth <= GOAL_GROWTH_MB else "NOT met"
    print(f"growth after warm-up (10k → end) {growth:+.1f} MB (goal ≤ {GOAL_GROWTH_MB:.0f} MB): {verdict}")
    print("statuses: " + ", ".join(f"{status}: {count}" for status, count in sorted(load.statuses.items())))
    for _limit, kind in KINDS:
        counts = {status: n for (name, status), n in load.by_kind.items() if name == kind}
        mean_ms = 1000 * load.seconds_by_kind[kind] / max(1, sum(counts.values()))
        detail = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
        print(f"  {kind:<20} mean {mean_ms:6.1f} ms  {detail}")
    if load.failures:
        print("connection failures: " + ", ".join(f"{k}: {v}" for k, v in load.failures.items()))


if __name__ == "__main__":
    sys.exit(main())
