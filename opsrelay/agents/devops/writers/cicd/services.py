"""Service containers (databases, caches) the test job starts, and their connection variables."""

from __future__ import annotations

from opsrelay.agents.devops import knowledge as kb
from opsrelay.agents.devops.decisions import Decisions


def db_services(d: Decisions) -> list[str]:
    """GitHub Actions service containers for the datastores tests are likely to need."""
    lines: list[str] = []
    for ds in d.datastores:
        profile = kb.datastore_profile(ds.name)
        if profile is None:
            continue
        major = (ds.version or "").lstrip("vV").split(".")[0]
        major = major if major.isdigit() else ""
        if profile.key == "postgresql":
            image = f"postgres:{major or '16'}"
            lines += [
                "      postgres:",
                f"        image: {image}",
                "        env:",
                "          POSTGRES_DB: app_test",
                "          # Throwaway CI-only database, reachable only from this job.",
                "          POSTGRES_HOST_AUTH_METHOD: trust",
                "        ports:",
                "          - 5432:5432",
                "        options: >-",
                '          --health-cmd "pg_isready -U postgres"',
                "          --health-interval 10s --health-timeout 5s --health-retries 5",
            ]
        elif profile.key == "redis":
            lines += [
                "      redis:",
                f"        image: redis:{major or '7'}",
                "        ports:",
                "          - 6379:6379",
                "        options: >-",
                '          --health-cmd "redis-cli ping"',
                "          --health-interval 10s --health-timeout 5s --health-retries 5",
            ]
        elif profile.key == "mysql":
            lines += [
                "      mysql:",
                f"        image: mysql:{major or '8'}",
                "        env:",
                "          MYSQL_DATABASE: app_test",
                "          # Throwaway CI-only database, reachable only from this job.",
                "          MYSQL_ALLOW_EMPTY_PASSWORD: 'yes'",
                "        ports:",
                "          - 3306:3306",
            ]
        elif profile.key == "mongodb":
            lines += [
                "      mongodb:",
                f"        image: mongo:{major or '7'}",
                "        ports:",
                "          - 27017:27017",
            ]
    return lines


def service_env(d: Decisions) -> list[str]:
    """Connection variables of the test job's service containers."""
    env: list[str] = []
    keys = {p.key for ds in d.datastores if (p := kb.datastore_profile(ds.name)) is not None}
    if "postgresql" in keys:
        env.append("      DATABASE_URL: postgresql://postgres@localhost:5432/app_test")
    elif "mysql" in keys:
        env.append("      DATABASE_URL: mysql://root@localhost:3306/app_test")
    if "redis" in keys:
        env.append("      REDIS_URL: redis://localhost:6379/0")
    if "mongodb" in keys:
        env.append("      MONGODB_URI: mongodb://localhost:27017/app_test")
    return env
