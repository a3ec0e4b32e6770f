"""The API's error handler: the right status, and nothing the failed request wrote survives."""

import pytest
from django.db import IntegrityError, transaction
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.errors import ConflictError, DomainError
from ledger.models import Agency

pytestmark = pytest.mark.django_db


class WritesThenFails(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    error: Exception = DomainError("no", field="name")

    def post(self, request):
        Agency.objects.create(name="half-done")
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (DomainError("bad name", field="name"), 400, {"name": ["bad name"]}),
        (ConflictError("already referred"), 409, {"detail": "already referred", "code": "conflict"}),
        (
            IntegrityError("duplicate key"),
            409,
            {"detail": "The change conflicts with existing data.", "code": "conflict"},
        ),
    ],
)
def test_a_handled_error_answers_and_rolls_back_what_the_request_wrote(error, status, body):
    view = WritesThenFails.as_view(error=error)
    with transaction.atomic():  # as ATOMIC_REQUESTS wraps every request
        response = view(APIRequestFactory().post("/", {}, format="json"))
        assert transaction.get_rollback()
    assert (response.status_code, response.data) == (status, body)
    assert not Agency.objects.filter(name="half-done").exists()
