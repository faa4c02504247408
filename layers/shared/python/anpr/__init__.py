"""ANPR platform domain library (shipped to Lambda as the ``shared`` layer)."""
