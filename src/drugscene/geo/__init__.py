"""Coordinates, H3 cells and area lookup. Pure Python/numpy: never imports Django."""
