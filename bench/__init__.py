"""`make bench`: our server against Oxigraph server and rdflib-endpoint, plus synthetic scaling.

`python -m bench [--duration S] [--connections N] [--quick]`; see `bench.__main__`.
"""
