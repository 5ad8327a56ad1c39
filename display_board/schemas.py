"""What the board API answers."""

from __future__ import annotations

from pydantic import BaseModel, Field


class BoardOffice(BaseModel):
    code: str
    name_vi: str
    time_zone: str


class BoardVoice(BaseModel):
    queue_limit: int = Field(description="calls waiting to be spoken beyond this are dropped")
    base_url: str


class BoardConfig(BaseModel):
    office: BoardOffice
    title: str
    notice: str
    notice_speed: int
    columns: int
    highlight_count: int
    flash_seconds: int
    show_queues: bool
    voice_enabled: bool
    voice: BoardVoice
    wait_target_minutes: float
    last_seq: int = Field(description="the event stream's position: the board follows it from here")


class Announcement(BaseModel):
    text: str = Field(description="the words of the call, in Vietnamese")
    clips: list[str] = Field(description="the voice clips to play, in order (/voice/<name>.wav)")
    repeat: int
    pause_ms: int
