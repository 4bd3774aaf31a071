"""Placeholder until the page lands."""
import streamlit as st

st.title("quarterly")
st.caption("This page is being built.")
