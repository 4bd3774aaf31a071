"""Placeholder until the page lands."""
import streamlit as st

st.title("actions")
st.caption("This page is being built.")
