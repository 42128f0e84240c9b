"""Plan-change calculators: every number the knowledge base shows comes from here.

Standard library only, so the same code runs in CPython (tests, build time, command line)
and in Pyodide (the browser).
"""

__version__ = "0.1.0"
