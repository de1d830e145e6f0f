"""`make run` (manage.py run_embedded): the port it is given is where the server listens and
where emailed links point; the last lines are the URL and the logins; Ctrl-C ends quietly."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.config.test_settings import PRODUCTION, run_manage

BASE_DIR = Path(__file__).resolve().parents[2]
NOISE = (
    "No hostname was supplied",
    "superuser privileges",
    "Starting development server",
    "ERROR",
    "signal 15",
    "SIGTERM",
    "Traceback",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_links_in_emails_follow_the_web_port_when_site_url_is_not_set():
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = run_manage(
        "shell",
        "-c",
        "from core import links; print(links.INVITATION.url(1))",
        env={**env, "WEB_PORT": "8101"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("http://127.0.0.1:8101/")


def test_make_run_maps_port_to_the_web_port():
    result = subprocess.run(
        ["make", "-n", "run"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )
    command = next(line for line in result.stdout.splitlines() if "run_embedded" in line)
    shell = subprocess.run(
        [
            "bash",
            "-c",
            command.replace(
                "manage.py run_embedded", "-c 'import os; print(os.environ[\"WEB_PORT\"])'"
            ),
        ],
        cwd=BASE_DIR,
        env={**os.environ, "PORT": "8101"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert shell.stdout.strip() == "8101"


@pytest.mark.worker
def test_run_serves_on_the_port_prints_the_logins_last_and_stops_quietly(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "CELERY_BROKER_URL", "SITE_URL", "PORT"}
    }
    # The embedded mode on its own SQLite file, migrated first as `make run` does.
    env.update(
        {
            "DEBUG": "true",
            "WEB_PORT": str(port),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_embedded"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/") as page:
                    status = page.status
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(3)  # let the worker and beat say whatever they say at start-up
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()

    assert status == 200
    assert process.returncode == 0
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines[-8:] == [
        f"Back care is running: open http://127.0.0.1:{port}/",
        "  Physiotherapist: physio@demo.example / demo-physio-2026",
        "  Patient:         patient@demo.example / demo-patient-2026",
        "  Patient (Spanish): paciente@demo.example / demo-paciente-2026",
        f"  Admin:           admin@demo.example / demo-admin-2026  (http://127.0.0.1:{port}/admin/)",
        f"  Emails are written to {BASE_DIR / 'var' / 'outbox'}",
        "Press Ctrl-C to stop.",
        "Stopped.",
    ]
    assert [line for line in lines if any(noise in line for noise in NOISE)] == []
