"""Endpoints for an API client to revoke its own bearer tokens."""

from drf_spectacular.utils import extend_schema
from knox import views as knox_views

from config.api.authentication import TokenAuthentication


@extend_schema(request=None, responses={204: None}, summary="Revoke the token used for this request")
class TokenRevokeView(knox_views.LogoutView):
    authentication_classes = (TokenAuthentication,)


@extend_schema(request=None, responses={204: None}, summary="Revoke every token of the requesting user")
class TokenRevokeAllView(knox_views.LogoutAllView):
    authentication_classes = (TokenAuthentication,)
