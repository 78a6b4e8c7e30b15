"""Customer notifications: message kinds, rendering and SMS sizing."""
