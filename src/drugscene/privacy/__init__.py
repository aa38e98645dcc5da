"""Privacy helpers: remove personal identifiers from free text before it is stored."""
