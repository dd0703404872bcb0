"""kicklab: measure, model, simulate and train the finishing kick in running.

The core imports with numpy and pandas only; :func:`read` sniffs a file's format from its bytes.
"""

from kicklab.activity import Activity
from kicklab.errors import KicklabError
from kicklab.io import read

__all__ = ["Activity", "KicklabError", "read", "__version__"]
__version__ = "0.1.0"
