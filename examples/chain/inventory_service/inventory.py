"""A tiny stock ledger: the project the example QA Engineer stage tests."""

from __future__ import annotations


class OutOfStock(Exception):
    """Raised when a reservation asks for more than is available."""


class Inventory:
    """Stock levels per SKU with reservations."""

    def __init__(self) -> None:
        self._stock: dict[str, int] = {}
        self._reserved: dict[str, int] = {}

    def receive(self, sku: str, quantity: int) -> None:
        """Add received goods to stock."""
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self._stock[sku] = self._stock.get(sku, 0) + quantity

    def available(self, sku: str) -> int:
        """Units that can still be reserved."""
        return self._stock.get(sku, 0) - self._reserved.get(sku, 0)

    def reserve(self, sku: str, quantity: int) -> None:
        """Hold units for an order."""
        if quantity > self.available(sku):
            raise OutOfStock(sku)
        self._reserved[sku] = self._reserved.get(sku, 0) + quantity

    def ship(self, sku: str, quantity: int) -> None:
        """Ship reserved units: they leave stock and the reservation."""
        if quantity > self._reserved.get(sku, 0):
            raise ValueError("cannot ship more than reserved")
        self._reserved[sku] -= quantity
        self._stock[sku] -= quantity
