"""The inventory-service test suite the example QA stage runs."""

import pytest
from inventory import Inventory, OutOfStock


def test_receive_adds_stock() -> None:
    inv = Inventory()
    inv.receive("A", 5)
    assert inv.available("A") == 5


def test_reserve_reduces_availability() -> None:
    inv = Inventory()
    inv.receive("A", 5)
    inv.reserve("A", 3)
    assert inv.available("A") == 2


def test_overbooking_is_refused() -> None:
    inv = Inventory()
    inv.receive("A", 1)
    with pytest.raises(OutOfStock):
        inv.reserve("A", 2)


def test_ship_consumes_reservation() -> None:
    inv = Inventory()
    inv.receive("A", 4)
    inv.reserve("A", 4)
    inv.ship("A", 4)
    assert inv.available("A") == 0


def test_receiving_nothing_is_an_error() -> None:
    with pytest.raises(ValueError):
        Inventory().receive("A", 0)
