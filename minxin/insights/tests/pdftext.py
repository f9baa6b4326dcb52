"""Text of a WeasyPrint PDF: inflate its streams, read each font's ToUnicode map and decode the shown
strings font by font (no PDF library needed; enough for the reports' tests)."""

from __future__ import annotations

import contextlib
import re
import zlib

OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)


def _objects(content: bytes) -> dict[int, bytes]:
    objects: dict[int, bytes] = {}
    for number, body in OBJ.findall(content):
        match = STREAM.search(body)
        data = body
        if match and b"/FlateDecode" in body[: match.start()]:
            with contextlib.suppress(zlib.error):
                data = body[: match.start()] + b"stream\n" + zlib.decompress(match.group(1))
        objects[int(number)] = data
        if b"/ObjStm" in body[:200] and match:
            raw = zlib.decompress(match.group(1))
            first = int(re.search(rb"/First (\d+)", body).group(1))  # type: ignore[union-attr]
            head = [int(x) for x in raw[:first].split()]
            pairs = list(zip(head[::2], head[1::2], strict=True))
            for index, (num, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(raw) - first
                objects[num] = raw[first + offset : first + end]
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            table[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            start = int(dst, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                table[code] = chr(start + offset)
    return table


def pdf_text(content: bytes) -> str:
    objects = _objects(content)

    def stream_of(number: int) -> bytes:
        data = objects.get(number, b"")
        return data.split(b"stream\n", 1)[1] if b"stream\n" in data else data

    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():  # font resources: /NAME n 0 R, n a font with a ToUnicode map
        for name, number in re.findall(rb"/([\w.+-]+)\s+(\d+) 0 R", body):
            uni = re.search(rb"/ToUnicode (\d+) 0 R", objects.get(int(number), b""))
            if uni:
                fonts[name] = _cmap(stream_of(int(uni.group(1))))
    out = []
    for body in objects.values():
        if b" Tf" not in body:
            continue
        current: dict[int, str] = {}
        for token in re.finditer(rb"/([\w.+-]+)\s+[\d.]+\s+Tf|<([0-9a-fA-F]*)>|\]\s*TJ|ET", body):
            if token.group(1):
                current = fonts.get(token.group(1), {})
            elif token.group(2) is not None:
                hexed = token.group(2).decode()
                out.append(
                    "".join(current.get(int(hexed[i : i + 4], 16), "") for i in range(0, len(hexed), 4))
                )
            else:
                out.append(" ")
    return "".join(out)
