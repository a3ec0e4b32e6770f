"""The project's infrastructure, shared by every app and importing none of them."""
