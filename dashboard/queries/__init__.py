"""Named, parameterised queries on the marts snapshot, one module per page area.

Every function takes a snapshot cursor and a `Scope` first and returns a polars DataFrame. User
values are always bound as `?` parameters; the only SQL chosen in Python is constant fragments.
"""
