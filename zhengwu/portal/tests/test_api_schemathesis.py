"""The JSON API does what its OpenAPI description says: schemathesis generates requests from the description
(valid and invalid parameters, ids of every size) and checks every response — no server error, only declared
status codes, bodies that match the declared schemas, invalid input refused. Bounded so that it runs in the suite."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings

from zhengwu.portal.api import api
from zhengwu.portal.tests.test_pages import HOST, portal  # noqa: F401  (fixture)

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
application = WSGIHandler()


@pytest.fixture
def keep_test_connection():
    """Called as a WSGI application, Django closes the database connection when each request finishes: that would
    end the test's transaction on PostgreSQL. Django's own test client stops the same signal handler the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_the_api_answers_as_its_description_says(case, portal, keep_test_connection):  # noqa: F811
    case.call_and_validate(app=application, headers={"Host": HOST})
