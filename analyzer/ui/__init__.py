"""The Streamlit pages (thin: they wire analyzer calls to widgets) and their shared widgets."""
