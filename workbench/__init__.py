"""Streamlit glue for the Hotpass workbench (app.py and app_pages/ use it).

The only Streamlit code outside ``app.py`` and ``app_pages/``; the work itself
is done by the ``hotpass`` library.
"""
