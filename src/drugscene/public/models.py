"""Models of the public app."""
