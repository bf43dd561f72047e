"""`ssm export`'s `.htaccess` under Debian's Apache httpd: the 303s, negotiation, documents and
errors a linked-data client relies on, compared with the application. Skipped (saying why) where
apache2 is not installed; nginx is the tested path (test_static_export.py), Apache the second."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests import serving
from tests.deploy.nginx_runner import free_port
from tests.serving import wait_until_answering

MODULES = ("mpm_event", "authz_core", "rewrite", "headers", "mime", "env", "setenvif", "dir")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPTS = [None, "*/*", "text/turtle", "application/ld+json", "application/rdf+xml",
           "application/n-triples", "text/plain", BROWSER,
           "text/turtle;q=0.2, application/ld+json;q=0.8"]  # fmt: skip


@pytest.fixture(scope="module")
def apache():
    binary = shutil.which("apache2") or ("/usr/sbin/apache2" if Path("/usr/sbin/apache2").exists()
                                         else None)  # fmt: skip
    if binary is None:
        pytest.skip("Apache httpd is not installed (Debian: apt-get install apache2)")
    from oas_ssm.export import export
    from oas_ssm.server.app import create_app
    from oas_ssm.server.config import Config
    from oas_ssm.webconf import write_configs

    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    holder = Path(tempfile.mkdtemp(prefix="ssm-apache-"))
    holder.chmod(0o755)  # the worker user reads the export
    site = export(Config().with_base(base), holder / "site")
    write_configs(site, None)
    modules = "\n".join(f"LoadModule {m}_module /usr/lib/apache2/modules/mod_{m}.so"
                        for m in MODULES)  # fmt: skip
    user = "User www-data\nGroup www-data\n" if os.geteuid() == 0 else ""
    conf = holder / "httpd.conf"
    conf.write_text(
        f"ServerRoot {holder}\n{modules}\nPidFile {holder}/httpd.pid\nErrorLog "
        f"{holder}/error.log\nListen 127.0.0.1:{port}\nServerName 127.0.0.1\n{user}"
        f"TypesConfig /dev/null\nDocumentRoot {site.root}\n<Directory {site.root}>\n"
        "  AllowOverride All\n  Require all granted\n</Directory>\n"
    )
    log = holder / "apache.out"
    with log.open("w") as sink:
        process = subprocess.Popen([binary, "-f", str(conf), "-D", "FOREGROUND"],
                                   stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        wait_until_answering(process, base + "robots.txt", log, 20, what="apache2")
        app = create_app(Config().with_base(base))
        yield base, app.test_client(use_cookies=False), app.extensions["ssm.dataset"]
    finally:
        serving.stop(process, signal.SIGTERM)  # apache2 stops gracefully on SIGTERM
        shutil.rmtree(holder, ignore_errors=True)


def get(base: str, path: str, accept: str | None, **headers) -> requests.Response:
    headers["Accept"] = accept
    return requests.get(base + path.lstrip("/"), headers=headers, allow_redirects=False,
                        timeout=10)  # fmt: skip


@pytest.mark.parametrize("accept", ACCEPTS)
def test_303_and_documents_as_the_server(apache, accept):
    base, client, dataset = apache
    seen = set()
    for iri in dataset.resources():
        kind = iri[len(base) :].split("/")[1]
        if kind in seen:
            continue
        seen.add(kind)
        path = "/" + iri[len(base) :]
        ours = get(base, path, accept)
        theirs = client.get(path, headers={"Accept": accept} if accept else {})
        assert ours.status_code == theirs.status_code == 303, (path, accept)
        location = urlsplit(ours.headers["Location"]).path  # Apache sends it absolute
        assert location == theirs.headers["Location"], (path, accept)
        doc = get(base, location, accept)
        expected = client.get(location, headers={"Accept": accept} if accept else {})
        assert doc.status_code == 200 and doc.content == expected.get_data(), location
        assert doc.headers["Content-Type"].replace(" ", "").lower() == expected.headers[
            "Content-Type"].replace(" ", "").lower()
        assert doc.headers["Access-Control-Allow-Origin"] == "*" and doc.headers["ETag"]


def test_negotiated_documents_language_and_errors(apache):
    base, client, _ = apache
    for accept in ACCEPTS:
        ours = get(base, "/doc/unit/ssm", accept)
        theirs = client.get("/doc/unit/ssm", headers={"Accept": accept} if accept else {})
        assert ours.content == theirs.get_data(), accept
    en = get(base, "/doc/unit/ssm.html", BROWSER, **{"Accept-Language": "en-GB,en;q=0.9"})
    assert en.content == client.get("/doc/unit/ssm.html", headers={
        "Accept": BROWSER, "Accept-Language": "en"}).get_data()
    assert get(base, "/id/unit/ssm", "image/png").status_code == 406
    for path in ("/id/unit/nope", "/doc/unit/nope.ttl", "/nginx.conf", "/.htaccess",
                 "/doc/unit/ssm.en.html", "/_errors/404.html"):  # fmt: skip
        r = get(base, path, "text/turtle")
        assert r.status_code == 404 and r.headers["Access-Control-Allow-Origin"] == "*", path
