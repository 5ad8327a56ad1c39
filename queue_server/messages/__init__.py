"""Messages to citizens (SMS over SMPP, Zalo ZNS, e-mail): planned from events in their transaction,
sent afterwards by a background dispatcher with retries, each at most once."""
