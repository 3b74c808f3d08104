"""Customer-service roster optimizer for mega-sales, built on OR-Tools CP-SAT."""

__version__ = "0.1.0"
