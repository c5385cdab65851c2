"""Insights: every figure anyone but the member sees, built from whole week cells."""
