"""Sections for software distributed to its users rather than deployed: libraries, CLIs, apps, devices.

A library, a command-line tool, a mobile, desktop or embedded app has no production servers of the
team's own. Where the template asks about servers, load balancers or database backups, these
writers say so explicitly and describe what takes their place (registries, release assets, store
tracks, update channels, device fleets), so every heading and labelled field remains and nothing
is invented. The CI/CD section is written by :mod:`..cicd` for every kind.
"""

from opsrelay.agents.devops.writers.distribution.monitoring import (
    write_client_alerting,
    write_client_monitoring,
)
from opsrelay.agents.devops.writers.distribution.operations import (
    write_client_cost,
    write_client_performance,
    write_client_runbooks,
)
from opsrelay.agents.devops.writers.distribution.overview import (
    write_client_infrastructure,
    write_client_overview,
)
from opsrelay.agents.devops.writers.distribution.resilience import (
    write_client_backup,
    write_client_incident,
    write_client_security,
)

__all__ = [
    "write_client_alerting",
    "write_client_backup",
    "write_client_cost",
    "write_client_incident",
    "write_client_infrastructure",
    "write_client_monitoring",
    "write_client_overview",
    "write_client_performance",
    "write_client_runbooks",
    "write_client_security",
]
