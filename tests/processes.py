"""Processes a test starts, each in its own process group, all ended at the test's teardown.

A test that fails, errors or is interrupted halfway still leaves nothing running: the
`processes` fixture (tests/conftest.py) kills every group it started, children included
(a scheduler's scoring pool, a benchmark's server), and closes the log files it opened.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

HANG_GUARD = 120  # seconds: a bound on a hang, never a limit on how fast something must be


class Processes:
    """Starts processes for one test and always ends them."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []
        self.logs: list = []

    def start(self, command: list[str], *, log: Path | None = None, **popen) -> subprocess.Popen:
        """Start `command` in a new process group; its output goes to `log` (or nowhere)."""
        if log is not None:
            out = open(log, "wb")  # closed at teardown
            self.logs.append(out)
            popen.setdefault("stdout", out)
            popen.setdefault("stderr", subprocess.STDOUT)
        else:
            popen.setdefault("stdout", subprocess.DEVNULL)
            popen.setdefault("stderr", subprocess.DEVNULL)
        process = subprocess.Popen(command, start_new_session=True, **popen)
        self.started.append(process)
        return process

    def run(self, command: list[str], timeout: float = HANG_GUARD, **popen):
        """Run `command` to the end; a CompletedProcess with its text output."""
        process = self.start(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
        )
        stdout, stderr = process.communicate(timeout=timeout)
        return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)

    def stop(self, process: subprocess.Popen, sig: int = signal.SIGTERM) -> int:
        """Signal `process` (if it still runs) and wait for its exit status."""
        if process.poll() is None:
            process.send_signal(sig)
        return process.wait(timeout=HANG_GUARD)

    def end_all(self) -> None:
        """Kill every started process group that is still there, reap, close the logs."""
        for process in reversed(self.started):
            try:
                os.killpg(process.pid, signal.SIGKILL)  # the group: children too
            except (ProcessLookupError, PermissionError):
                pass
            process.wait()
            for pipe in (process.stdout, process.stderr):
                if pipe is not None:
                    pipe.close()
        for log in self.logs:
            log.close()
