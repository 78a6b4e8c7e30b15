"""Pure model: records, their states and allowed transitions, and deadline rules. No I/O."""
