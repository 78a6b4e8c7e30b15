"""The reliability suite uses the shared `imap` and `smtp` fixtures of tests/conftest.py:
real servers, a real daemon process."""
