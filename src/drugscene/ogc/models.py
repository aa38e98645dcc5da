"""Models of the ogc app."""
