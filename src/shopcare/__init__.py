"""shopcare: the customer care of a big shop, for a small one."""

__version__ = "0.1.0"
