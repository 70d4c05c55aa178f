"""Agents of the delivery pipeline; opsrelay implements the DevOps Engineer (:mod:`.devops`)."""
