"""drugscene: see, act on and follow up a city's open drug scenes, with all its partners."""

__version__ = "0.1.0"
