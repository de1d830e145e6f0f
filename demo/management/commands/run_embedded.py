"""`make run`: start the processes of Procfile.embedded, then print the URL and the logins.

honcho runs the processes; this command only makes the first run readable. The processes log
warnings and errors only, honcho's own "started / sending SIGTERM / stopped" lines are left
out, the URL and the logins are the last lines printed (once the web server answers), and
Ctrl-C stops everything with exit status 0. On stop only each process's main pid gets SIGTERM
(honcho signals the whole process group, so Celery's pool children were killed under the
worker, which then logged "ERROR … exited with signal 15"): the worker's warm shutdown
stops its own children.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from honcho.compat import ProcessManager
from honcho.environ import expand_processes, parse_procfile
from honcho.manager import SYSTEM_PRINTER_NAME, Manager
from honcho.printer import Message, Printer

from demo.management.commands.seed_demo import (
    DEMO_ADMIN,
    DEMO_PATIENT,
    DEMO_PATIENT_ES,
    DEMO_PHYSIO,
)

READY = "ready"
# Lines a process prints while it stops on purpose: nothing the newcomer can act on.
SHUTDOWN_NOISE = ("worker: Warm shutdown (MainProcess)",)


class MainProcessOnly(ProcessManager):
    def terminate(self, pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)


class QuietPrinter(Printer):
    """honcho's printer without its system lines; the ready banner printed as it is."""

    def write(self, message):
        if message.type != "line" or message.name == SYSTEM_PRINTER_NAME:
            return
        data = message.data.decode() if isinstance(message.data, bytes) else message.data
        if not data.strip() or data.strip() in SHUTDOWN_NOISE:
            return
        if message.name == READY:
            self.output.write(data)
            self.output.flush()
            return
        super().write(message)


def _wait_for_port(port: int, stop: threading.Event) -> bool:
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def logins_text() -> str:
    return (
        f"\nBack care is running: open {settings.SITE_URL}/\n"
        f"  Physiotherapist: {DEMO_PHYSIO[0]} / {DEMO_PHYSIO[1]}\n"
        f"  Patient:         {DEMO_PATIENT[0]} / {DEMO_PATIENT[1]}\n"
        f"  Patient (Spanish): {DEMO_PATIENT_ES[0]} / {DEMO_PATIENT_ES[1]}\n"
        f"  Admin:           {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}  ({settings.SITE_URL}/admin/)\n"
        f"  Emails are written to {getattr(settings, 'EMAIL_FILE_PATH', 'the SMTP server')}\n"
        "Press Ctrl-C to stop.\n"
    )


class Command(BaseCommand):
    help = "Run web, worker and beat (Procfile.embedded) quietly and print the URL and logins."

    def add_arguments(self, parser):
        parser.add_argument("--procfile", default="Procfile.embedded")

    def handle(self, *args, procfile, **options):
        processes = parse_procfile(Path(procfile).read_text()).processes
        env = {**os.environ, "WEB_PORT": str(settings.WEB_PORT), "SITE_URL": settings.SITE_URL}
        manager = Manager(printer=QuietPrinter(sys.stdout))
        manager._procmgr = MainProcessOnly()  # see the module docstring
        for process in expand_processes(processes, env=env):
            manager.add_process(process.name, process.cmd, env=process.env)
        stop = threading.Event()

        def announce():
            if _wait_for_port(settings.WEB_PORT, stop):
                message = Message(
                    type="line",
                    data=logins_text(),
                    time=datetime.datetime.now(),
                    name=READY,
                    colour=None,
                )
                manager.events.put(message)

        threading.Thread(target=announce, daemon=True).start()
        manager.loop()
        stop.set()
        interrupted = manager.returncode in (130, 143)
        if interrupted:
            self.stdout.write("Stopped.")
            return
        sys.exit(manager.returncode or 0)
