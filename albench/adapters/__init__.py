"""Adapters that bring peers' strategies into albench (optional extras, imported lazily).

Importing ``albench.adapters.skactiveml`` registers the ``skactiveml.`` prefix (the registry
does it with the other built-ins); this package itself imports nothing.
"""

#: names of scikit-activeml's adapted strategies start with this
SKACTIVEML_PREFIX = "skactiveml."
#: how to get them
SKACTIVEML_INSTALL_HINT = "pip install 'albench[skactiveml]'"
