"""Model backends behind one seam (see :mod:`opsrelay.models.base`)."""
