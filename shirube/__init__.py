"""Shirube's command line and demo: the top of the dependency graph.

`shirube` (shirube.cli) is the one way in for each job; it calls pipelines/ (ingest, build,
sample, reports) and dashboard/ (serve). Nothing in pipelines/ or sql/ imports from here or from
dashboard/, so the bottom layers never reach up (tests/test_layers.py checks it).
"""
