import pytest

from .fixture_site import Server, Site, external_site, free_port, make_handler


@pytest.fixture(scope="session")
def external_server():
    with Server(make_handler(external_site())) as server:
        yield server


def _serve(defects: bool, external_server):
    site = Site(defects, external_server.base, f"http://127.0.0.1:{free_port()}").build()
    server = Server(make_handler(site))
    server.site = site
    return server


@pytest.fixture
def clean_site(external_server):
    with _serve(False, external_server) as server:
        yield server


@pytest.fixture
def defect_site(external_server):
    with _serve(True, external_server) as server:
        yield server
