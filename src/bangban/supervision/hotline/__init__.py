"""The 12345 hotline adapter (decision 0056): tickets pulled from and pushed to the platform, signed
requests, an outbox. Off by default; on when `BANGBAN_HOTLINE_URL` is set."""
