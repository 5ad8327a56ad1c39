"""What every response model of the API shares: an exact shape and times written as the services write them.

`Answer` forbids keys the model does not name, so a service that starts answering a new key without its
model says so at once (a test fails) instead of the key being dropped silently on the way out. `Timestamp`
is a date-time in the document and `datetime.isoformat()` on the wire (`+00:00`, as before the models).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, PlainSerializer

Timestamp = Annotated[
    datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str, when_used="json")
]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")
