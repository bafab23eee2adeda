"""`make cluster`: start the cluster of tests/cluster/harness.py, print its addresses, and keep
it running until Ctrl-C (or SIGTERM), then stop every process it started."""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
from pathlib import Path

from tests.cluster.harness import DATABASE, start_cluster


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="hmb-cluster-") as work:
        cluster = start_cluster(Path(work))
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            sys.stdout.write(
                "The cluster is up:\n"
                + "".join(f"  instance {index + 1}: {url}\n" for index, url in enumerate(cluster.urls))
                + f"  primary:   {cluster.primary.dsn(DATABASE)}\n"
                + f"  replica:   {cluster.replica.dsn(DATABASE)}\n"
                + f"  pgbouncer: {cluster.pgbouncer.url(DATABASE).replace('+asyncpg', '')}\n"
                + f"  redis:     {cluster.redis.url()}\n"
                + "Fill it with `DATABASE_URL=<primary> hiremebahamas demo-data --size small`. Ctrl-C stops it.\n"
            )
            sys.stdout.flush()
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
