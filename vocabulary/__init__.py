"""The ground floor: the words every other floor shares.

Field names, types and synonyms (``fields``), currencies and their symbols (``currencies``),
role names and principals (``roles``), and safe export text (``neutralise``). Imports only the
standard library and pandas, never another module of this project, so ``config``, the loaders,
analytics, charts and exports can all import from here (tests/test_imports.py checks it).
"""
