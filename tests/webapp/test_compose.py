"""docker-compose.yml describes the production shape (no Docker engine runs here, so this
checks the file itself; `docker compose config` validates it where Docker is installed)."""

from __future__ import annotations

import yaml

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
