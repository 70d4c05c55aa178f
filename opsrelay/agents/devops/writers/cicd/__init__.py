"""CI/CD Pipeline: the build pipeline YAML and the deployment strategy, one concern per module.

The YAML is generated from :class:`Decisions`, never from QA prose: the only strings that come
from the QA document are test commands that pass :func:`vet_test_command` (re-checked here, since
an LLM may have filled the decisions). Actions are pinned to full commit SHAs; credentials come
from OIDC or ``secrets.*``; production deploys need a manual approval (``environment: production``).
"""

from opsrelay.agents.devops.writers.cicd.commands import CICommand, ci_test_commands, describe_tests
from opsrelay.agents.devops.writers.cicd.deploy import deploy_commands
from opsrelay.agents.devops.writers.cicd.github import github_actions_yaml
from opsrelay.agents.devops.writers.cicd.gitlab import gitlab_ci_yaml
from opsrelay.agents.devops.writers.cicd.section import pipeline_yaml, write_cicd
from opsrelay.agents.devops.writers.cicd.toolchains import describe_runtimes
from opsrelay.agents.devops.writers.cicd.yamltext import yq
from opsrelay.agents.devops.writers.common import num

__all__ = [
    "CICommand",
    "ci_test_commands",
    "deploy_commands",
    "describe_runtimes",
    "describe_tests",
    "github_actions_yaml",
    "gitlab_ci_yaml",
    "num",
    "pipeline_yaml",
    "write_cicd",
    "yq",
]
