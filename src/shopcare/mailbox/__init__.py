"""The inbound pipeline: fetch, parse, screen, thread, record, acknowledge (each step its own module)."""
