"""The linked-data server: dereferenceable IRIs, documents in five formats, metadata and SPARQL.

`server.app.create_app(config)` builds the WSGI application; `ssm serve` (server.serve) runs it
under granian.
"""
