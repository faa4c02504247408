"""Each concern declares its resources in its own module; ``anpr.spec`` composes them."""
