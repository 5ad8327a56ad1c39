"""A message sender in memory, with faults to inject: down, throttled, refusing, cut off mid-send."""

from __future__ import annotations

from dataclasses import dataclass, field

from queue_server.messages.port import OutgoingMessage, Receipt, ReceiptHandler, SendFailed


@dataclass
class FakeMessageSender:
    channel: str = "sms"
    sent: list[OutgoingMessage] = field(default_factory=list)
    down: bool = False  # every send fails, worth retrying
    fail_next: int = 0  # the next N sends fail, worth retrying (throttled)
    refuse_next: int = 0  # the next N sends are refused for good (bad number)
    cut_off_next: int = 0  # the next N sends reach the citizen but no answer comes back
    receipts: list[Receipt] = field(default_factory=list)

    def send(self, message: OutgoingMessage) -> str:
        if self.down:
            raise SendFailed("fake gateway down", retry=True)
        if self.fail_next:
            self.fail_next -= 1
            raise SendFailed("fake gateway throttled", retry=True)
        if self.refuse_next:
            self.refuse_next -= 1
            raise SendFailed("fake gateway refused the number", retry=False)
        self.sent.append(message)
        provider_id = f"fake-{len(self.sent)}"
        if self.cut_off_next:
            self.cut_off_next -= 1
            raise SendFailed("fake gateway cut off", retry=False, maybe_sent=True)
        return provider_id

    def deliver(self, provider_id: str, delivered: bool = True) -> None:
        self.receipts.append(Receipt(provider_id, delivered, "DELIVRD" if delivered else "UNDELIV"))

    def poll_receipts(self, handler: ReceiptHandler) -> None:
        receipts, self.receipts = self.receipts, []
        for receipt in receipts:
            handler(receipt)

    def close(self) -> None:
        pass
