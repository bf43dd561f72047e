"""The linked-data server: dereferenceable IRIs, documents in five formats, metadata and SPARQL.

`oas_ssm.server.app.create_app(config)` builds the WSGI application; `ssm serve`
(oas_ssm.server.serve) runs it under granian.
"""
