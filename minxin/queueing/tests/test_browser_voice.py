"""The board on a screen without a Chinese voice (issue 20, point 5), in a real Chromium: it says so, and
calls the numbers with the recorded pieces we ship (made with espeak-ng by scripts/make_voice.py)."""

from __future__ import annotations

import json
import time
import wave
from pathlib import Path

import pytest

from minxin.queueing import services
from minxin.queueing.board import VOICE_PIECES
from minxin.queueing.models import Channel, WindowState
from minxin.queueing.tests.test_browser_kiosk_locked import LANGUAGES, shot, use_language

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VOICE = Path(__file__).resolve().parents[2] / "static" / "minxin" / "voice"
WARNING = {"zh-hans": "录音", "zh-hant": "錄音", "en": "recorded audio"}
NO_VOICE_RECORDING_AUDIO = """
window.__played = [];
const noVoices = { speak() { window.__spoke = true; }, getVoices() { return []; }, cancel() {} };
Object.defineProperty(window, "speechSynthesis", { value: noVoices, configurable: true });
HTMLMediaElement.prototype.play = function () {
  window.__played.push(this.src);
  setTimeout(() => this.dispatchEvent(new Event("ended")), 10);
  return Promise.resolve();
};
"""


def test_the_recorded_pieces_are_small_wav_files_with_a_readme() -> None:
    for name in VOICE_PIECES:
        with wave.open(str(VOICE / f"{name}.wav")) as piece:
            assert (piece.getnchannels(), piece.getframerate(), piece.getsampwidth()) == (1, 16_000, 2)
            assert 0.1 < piece.getnframes() / 16_000 < 2, name
    assert set(json.loads((VOICE / "manifest.json").read_text())["pieces"]) == set(VOICE_PIECES)
    readme = (VOICE / "README.md").read_text()
    assert "espeak-ng" in readme.lower()
    assert "GPL" in readme


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)], ids=["landscape", "portrait"])
def test_without_a_chinese_voice_the_board_warns_and_plays_the_recorded_pieces(
    cast, line, at_open_hall, page, language, size
) -> None:
    services.window_set_state(window=cast.window1, clerk=cast.bob, status=WindowState.Status.OPEN)
    services.ticket_issue(hall=cast.hall, service_code="huji", channel=Channel.KIOSK)
    page.add_init_script(NO_VOICE_RECORDING_AUDIO)
    use_language(page, language)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(f"{page.base_url}/halls/qhd/board/?sound=1")
    page.wait_for_function("window.minxinBoard && window.minxinBoard.voiceChecked()", timeout=8000)
    warning = page.locator("[data-voice-warning]")
    assert warning.is_visible()
    assert WARNING[language] in warning.inner_text()
    page.wait_for_function("document.body.dataset.stream === 'open'", timeout=5000)
    time.sleep(0.5)  # let the hub's listener take its starting point
    called = services.ticket_call_next(window=cast.window1, clerk=cast.bob)
    assert called is not None
    page.wait_for_function(
        "window.__played.filter(src => src.includes('/voice/')).length >= 18", timeout=15_000
    )
    played = [
        src.rsplit("/", 1)[-1].split(".")[0] for src in page.evaluate("window.__played") if "/voice/" in src
    ]
    once = ["qing", "A", "0", "0", "1", "hao", "dao", "1", "haochuangkou"]
    assert played[:18] == once + once  # said twice, piece after piece
    assert not page.evaluate("window.__spoke === true")
    shot(page, f"board-no-voice-{language}-{size[0]}x{size[1]}")


def test_window_numbers_are_said_as_numbers(line, page) -> None:
    page.goto(f"{page.base_url}/halls/qhd/board/")
    pieces = page.evaluate("window.minxinBoard.voicePieces({number: 'B105', window: '12'})")
    assert pieces == ["qing", "B", "1", "0", "5", "hao", "dao", "shi", "2", "haochuangkou"]
    pieces = page.evaluate("window.minxinBoard.voicePieces({number: 'C007', window: '23'})")
    assert pieces[-4:] == ["2", "shi", "3", "haochuangkou"]
