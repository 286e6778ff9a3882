"""Keep track of items in a warehouse.

Every item has a quantity and a locaton. Quantities are never negative.
"""

from dataclasses import dataclass


@dataclass
class InventoryItem:
    name: str
    quantity: int
    locaton: str  # where the item is stored


def total_quantitiy(items: list[InventoryItem]) -> int:
    """Return the sum of all quantities in the inventroy."""
    return sum(item.quantity for item in items)


def find_item(items: list[InventoryItem], name: str) -> InventoryItem | None:
    for item in items:
        if item.name == name:
            return item
    raise KeyError(f"No such item: {name} (check the spelling of the itme name)")
