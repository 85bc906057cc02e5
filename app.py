"""Stance: the Streamlit app. Only navigation lives here; each page is a module in analyzer/ui/.

Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import streamlit as st

from analyzer.ui import clients_page, live_page, upload_page

st.set_page_config(page_title="Stance", page_icon=":material/footprint:", layout="wide")

pages = [
    st.Page(live_page.render, title="Live", icon=":material/videocam:", url_path="live", default=True),
    st.Page(upload_page.render, title="Upload", icon=":material/upload_file:", url_path="upload"),
    st.Page(clients_page.render, title="Clients", icon=":material/groups:", url_path="clients"),
]
st.navigation(pages, position="sidebar").run()
