"""Exports of the weekly review: slide-sized chart PNGs, the PPTX deck, safe Excel/CSV text.

Never imports streamlit: the Export page, the "Download PNG" button and ``python -m exports``
share this code.
"""
