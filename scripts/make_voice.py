#!/usr/bin/env python3
"""Generate the calling board's recorded number pieces with espeak-ng (offline, no cloud service).

The board (minxin/static/minxin/js/board.js) speaks each call with the browser's own Chinese voice; a
screen without one plays these pieces in sequence instead: 请 A 零 零 一 号，到 三 号窗口 is
qing, A, 0, 0, 1, hao, dao, 3, haochuangkou. Each piece is a small WAV file (16 kHz, mono, 16-bit PCM)
with its silence trimmed, written to minxin/static/minxin/voice/ with a manifest.json.

    sudo apt-get install espeak-ng        # Debian's package; its Mandarin voice is "cmn"
    .venv/bin/python scripts/make_voice.py [--out minxin/static/minxin/voice]

The generated files are committed, so servers and CI need no espeak-ng; run this again to change them.
"""

from __future__ import annotations

import argparse
import array
import io
import json
import shutil
import subprocess
import sys
import wave
from pathlib import Path

RATE = 16_000
VOICE = "cmn"  # espeak-ng's Mandarin voice (latin letters read as English letters: "A" is "ei")
SPEED = 150  # words per minute: a little slower than espeak-ng's 175, for a hall
SILENCE = 400  # samples under this amplitude at either end are trimmed

DIGITS = "零一二三四五六七八九"
PIECES: dict[str, str] = {
    "qing": "请",
    "hao": "号",
    "dao": "到",
    "haochuangkou": "号窗口",
    "shi": "十",
    **{str(n): DIGITS[n] for n in range(10)},
    **{letter: letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
}


def espeak_wav(text: str) -> bytes:
    """espeak-ng's WAV (22 050 Hz mono 16-bit) for `text`."""
    binary = shutil.which("espeak-ng")
    if binary is None:
        sys.exit("espeak-ng is not installed: sudo apt-get install espeak-ng")
    return subprocess.run(  # noqa: S603 - a fixed program and our own texts
        [binary, "-v", VOICE, "-s", str(SPEED), "--stdout", text], check=True, capture_output=True
    ).stdout


def resample(samples: array.array[int], source_rate: int) -> array.array[int]:
    """Linear interpolation to RATE; enough for speech that is band-limited well below 8 kHz."""
    if source_rate == RATE:
        return samples
    count = int(len(samples) * RATE / source_rate)
    out = array.array("h", [0] * count)
    step = source_rate / RATE
    for i in range(count):
        position = i * step
        left = int(position)
        right = min(left + 1, len(samples) - 1)
        fraction = position - left
        out[i] = int(samples[left] * (1 - fraction) + samples[right] * fraction)
    return out


def trimmed(samples: array.array[int]) -> array.array[int]:
    loud = [i for i, value in enumerate(samples) if abs(value) > SILENCE]
    if not loud:
        return samples
    pad = RATE // 50  # 20 ms kept at each end, so that no consonant is clipped
    return samples[max(loud[0] - pad, 0) : min(loud[-1] + pad, len(samples))]


def piece(text: str) -> bytes:
    with wave.open(io.BytesIO(espeak_wav(text))) as source:
        if source.getnchannels() != 1 or source.getsampwidth() != 2:
            sys.exit("espeak-ng gave an unexpected WAV format")
        samples = array.array("h")
        samples.frombytes(source.readframes(source.getnframes()))
        rate = source.getframerate()
    samples = trimmed(resample(samples, rate))
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(RATE)
        target.writeframes(samples.tobytes())
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", default="minxin/static/minxin/voice", help="folder for the WAV files")
    folder = Path(parser.parse_args().out)
    folder.mkdir(parents=True, exist_ok=True)
    version = subprocess.run(  # noqa: S603
        [shutil.which("espeak-ng") or "espeak-ng", "--version"], check=True, capture_output=True, text=True
    ).stdout.strip()
    manifest: dict[str, object] = {"generator": version, "voice": VOICE, "rate": RATE, "pieces": {}}
    for name, text in PIECES.items():
        (folder / f"{name}.wav").write_bytes(piece(text))
        manifest["pieces"][name] = text  # type: ignore[index]
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    total = sum(path.stat().st_size for path in folder.glob("*.wav"))
    print(f"{len(PIECES)} pieces, {total / 1024:.0f} KiB, in {folder}")


if __name__ == "__main__":
    main()
