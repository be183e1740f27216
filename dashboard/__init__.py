"""The Streamlit dashboard: thin pages over pure plotly figure builders."""
