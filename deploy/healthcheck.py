"""The image's HEALTHCHECK: ask the replica's health endpoint, and kill a replica that hangs.

Docker only marks a container "unhealthy"; outside Swarm nothing restarts it (a restart policy acts
when the container exits), and a hung Streamlit never exits. So this check counts consecutive
failures in a file and, after ``REGVIZ_HEALTH_MAX_FAILURES`` of them (4: a minute without an
answer at the image's 15 s interval), kills the app with SIGKILL. The container then exits (tini,
its PID 1, exits with its child) and compose's ``restart: unless-stopped`` starts it again, while
nginx sends new sessions elsewhere (deploy/nginx.conf). SIGKILL, because a stopped or hung
process does not run a SIGTERM handler; and not PID 1, which the kernel protects inside its
container.

Failures in the first ``REGVIZ_HEALTH_GRACE`` seconds after the app started (the age of the pid
file that ``entrypoint.sh`` writes) do not count: a replica starting is not a hung one.

Exit status 0 when healthy, 1 when not (Docker's convention). Settings, from the environment
(tests/test_deploy.py runs this file against a stand-in app): ``REGVIZ_HEALTH_URL``,
``REGVIZ_HEALTH_TIMEOUT`` (s), ``REGVIZ_HEALTH_MAX_FAILURES``, ``REGVIZ_HEALTH_GRACE`` (s),
``REGVIZ_HEALTH_STATE`` (the counter file) and ``REGVIZ_PIDFILE``. Docs: docs/deploy.md.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import urllib.request
from pathlib import Path

URL = os.environ.get("REGVIZ_HEALTH_URL", "http://127.0.0.1:8501/_stcore/health")
# Below the HEALTHCHECK's --timeout (10 s), so that a failure is counted before Docker gives up.
TIMEOUT = float(os.environ.get("REGVIZ_HEALTH_TIMEOUT", "8"))
MAX_FAILURES = int(os.environ.get("REGVIZ_HEALTH_MAX_FAILURES", "4"))
GRACE = float(os.environ.get("REGVIZ_HEALTH_GRACE", "60"))
STATE = Path(os.environ.get("REGVIZ_HEALTH_STATE", "/tmp/regviz-health-failures"))
PIDFILE = Path(os.environ.get("REGVIZ_PIDFILE", "/tmp/regviz.pid"))


def healthy():
    """None when the replica answers 200 in time, else why not."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(URL, timeout=TIMEOUT) as response:
            if response.status == 200:
                return None
            return f"HTTP {response.status}"
    except Exception as error:  # any failure to answer is unhealthy
        return f"{type(error).__name__}: {error}"


def failures():
    try:
        return int(STATE.read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def main():
    problem = healthy()
    if problem is None:
        STATE.write_text("0\n")
        return 0
    try:
        pid = int(PIDFILE.read_text().strip())
        age = time.time() - PIDFILE.stat().st_mtime
    except (OSError, ValueError):
        print(f"unhealthy ({problem}); no app pid in {PIDFILE}", file=sys.stderr)
        return 1
    if age < GRACE:
        print(f"unhealthy ({problem}), {age:.0f} s after start: not counted", file=sys.stderr)
        return 1
    count = failures() + 1
    STATE.write_text(f"{count}\n")
    print(f"unhealthy ({problem}): {count} of {MAX_FAILURES} in a row", file=sys.stderr)
    if count >= MAX_FAILURES and pid > 1:
        print(f"killing the app (pid {pid}) so that the container restarts", file=sys.stderr)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        STATE.write_text("0\n")
    return 1


if __name__ == "__main__":
    sys.exit(main())
