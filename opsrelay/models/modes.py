"""How schema-bound requests are sent (``--structured-output``).

One definition for the CLI, the settings and the backend. No imports beyond ``typing``, so the
CLI's start-up stays light.
"""

from __future__ import annotations

from typing import Literal, get_args

StructuredMode = Literal["auto", "json_schema", "json_object", "tools"]
STRUCTURED_MODES: tuple[str, ...] = get_args(StructuredMode)

__all__ = ["STRUCTURED_MODES", "StructuredMode"]
