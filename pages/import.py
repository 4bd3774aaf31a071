"""Placeholder until the page lands."""
import streamlit as st

st.title("import")
st.caption("This page is being built.")
