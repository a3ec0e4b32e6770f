from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Django model permissions, with reads needing the model's ``view`` permission.

    A read-only API client is a user in a group that holds only ``view_*``
    permissions; writes need ``add_*``, ``change_*`` or ``delete_*``.
    Anonymous users are refused (401 with a Bearer challenge).
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class ActionModelPermissions(ModelPermissions):
    """Model permissions, with the permissions of a viewset's extra actions declared on the view.

    A command such as ``POST .../transition/`` changes an object: it needs ``change_*``
    rather than the ``add_*`` a POST implies. Declare it on the view::

        action_permissions = {"transition": {"POST": ["cases.change_case"]}}

    Actions not listed follow the model permissions of their HTTP method.
    """

    def has_permission(self, request, view) -> bool:
        required = getattr(view, "action_permissions", {}).get(getattr(view, "action", None), {})
        method = "GET" if request.method == "HEAD" and "GET" in required else request.method  # HEAD runs GET
        if method in required:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(required[method]))
        return super().has_permission(request, view)
