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
