"""A school's own login lands here (hidden from the navigation) and goes on to its profile."""

import streamlit as st

st.switch_page("views/school.py")
