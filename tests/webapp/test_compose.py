"""docker-compose.yml describes the production shape. No Docker engine runs here: Debian's
``docker-compose config`` validates the file (installed by ``make system``), and the
tests read what it resolves."""

from __future__ import annotations

import os
import subprocess

import yaml
from django.conf import settings

from tests.conftest import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_it_runs_postgres_redis_web_worker_and_beat_each_with_a_health_check():
    services = compose()["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        assert "healthcheck" in service, name


def test_it_points_the_app_at_postgres_and_redis_and_needs_a_secret_key():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["CELERY_BROKER_URL"].startswith("redis://")
        assert "SECRET_KEY:?" in env["SECRET_KEY"]
        # One history key for all containers (else each would generate its own).
        assert "FUZHI_HISTORY_KEYS:?" in env["FUZHI_HISTORY_KEYS"]
        assert "checkpoints:/var/lib/fuzhi-checkpoints" in services[name]["volumes"]
    assert "celery" in services["worker"]["command"] and "beat" in services["beat"]["command"]


def test_the_image_builds_the_browser_bundles_and_collects_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "npm ci" in dockerfile and "node build.mjs" in dockerfile
    assert "COPY --from=frontend" in dockerfile
    assert "collectstatic" in dockerfile


HISTORY_KEY = "k1:m5lyxl+fedmnATE8sJMd9VnKOQE1siHNOly1fCsjaPk="  # as `history_key new` prints


def compose_config(**env: str) -> subprocess.CompletedProcess:
    """Debian's ``docker-compose config``: the file validated against the Compose schema,
    variables substituted, as ``docker compose up`` would read it (no engine needed)."""
    return subprocess.run(
        ["docker-compose", "--file", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], **env},
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_docker_compose_validates_the_file_and_refuses_it_without_a_secret_key():
    valid = compose_config(SECRET_KEY="a-secret-for-the-check", FUZHI_HISTORY_KEYS=HISTORY_KEY)
    assert valid.returncode == 0, valid.stderr
    assert "a-secret-for-the-check" in valid.stdout
    missing = compose_config(FUZHI_HISTORY_KEYS=HISTORY_KEY)
    assert missing.returncode != 0 and "set SECRET_KEY" in missing.stderr
    no_history_key = compose_config(SECRET_KEY="a-secret-for-the-check")
    assert no_history_key.returncode != 0 and "set FUZHI_HISTORY_KEYS" in no_history_key.stderr


def test_every_container_has_a_memory_limit_and_the_sandbox_its_own():
    resolved = compose_config(SECRET_KEY="x", FUZHI_HISTORY_KEYS=HISTORY_KEY).stdout
    resolved = yaml.safe_load(resolved)["services"]
    for name, service in resolved.items():
        assert service.get("mem_limit"), f"{name} has no memory limit"
    for name in ("web", "worker", "beat"):
        assert resolved[name]["environment"]["FUZHI_SANDBOX_MEMORY_MB"] == "512"


def test_web_runs_gunicorn_with_its_timeouts_and_celery_has_time_limits():
    services = compose()["services"]
    assert "-c webapp/config/gunicorn.py" in services["web"]["command"]
    assert '"-c", "webapp/config/gunicorn.py"' in (ROOT / "Dockerfile").read_text()
    config: dict = {}
    exec((ROOT / "webapp/config/gunicorn.py").read_text(), config)
    assert 0 < config["timeout"] <= 120 and config["graceful_timeout"] <= config["timeout"]
    assert config["worker_class"] == "gthread" and callable(config["post_worker_init"])
    assert 0 < settings.CELERY_TASK_SOFT_TIME_LIMIT < settings.CELERY_TASK_TIME_LIMIT
    wake = settings.CELERY_TASK_ANNOTATIONS["webapp.cases.tasks.wake_case"]
    assert wake["soft_time_limit"] < wake["time_limit"] < settings.CELERY_TASK_SOFT_TIME_LIMIT
