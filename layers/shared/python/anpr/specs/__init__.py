"""Each concern declares its resources in its own module; ``anpr.spec`` composes them.

Importing ``anpr.spec`` first means a part imported on its own (``anpr.specs.alerts``) still
finds the composition complete, whatever the import order.
"""

import anpr.spec  # noqa: F401
