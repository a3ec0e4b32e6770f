"""Who acts: the type of ``request.user`` (a signed-in user or the anonymous user), for typed services."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

# What ``request.user`` is (the project keeps Django's User model); services that decide by
# permission or membership take it, and None where a command or a task acts without a person.
AnyUser = User | AnonymousUser
