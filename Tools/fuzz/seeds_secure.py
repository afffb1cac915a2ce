#!/usr/bin/env python3
"""Writes the seed inputs of the secure-handshake and text fuzz targets into DIR/<target>/
(run.sh calls it beside seeds.py when a kept corpus is empty). Layouts: README.md's table and
Sources/FuzzHarness/SecureHarness.swift."""
import os, struct, sys, unicodedata

out = sys.argv[1]
written = {}
def save(target, name, data):
    d = os.path.join(out, target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)
    written[target] = written.get(target, 0) + 1

# secure-handshake, modes 0/1: [mode][chunk] + bytes (mode 0: after a v2 preamble the harness adds).
def raw(name, data, chunk=0, preamble=True):
    save("secure-handshake", "raw-" + name, bytes([0 if preamble else 1, chunk]) + data)

raw("empty", b"")
raw("zero-length-message", b"\x00\x00")
raw("short-length", b"\x00")
raw("message1-too-short", b"\x00\x10" + b"\x00" * 16)
raw("message1-garbage-96", b"\x00\x60" + bytes(range(96)))
raw("message1-garbage-chunked", b"\x00\x80" + bytes(range(128)), chunk=3)
raw("message1-truncated", b"\xff\xff" + b"x" * 200, chunk=1)
raw("message1-then-more", b"\x00\x62" + b"\x01" * 98 + b"\x00\x10" + b"\x02" * 16)
raw("v1-preamble", b"GX\x01\x01" + b"\x60\x00\x00", preamble=False)
raw("v1-v2-offer", b"GX\x01\x02\x00\x60" + b"\x00" * 96, preamble=False)
raw("v3-offer", b"GX\x02\x03" + b"\x00" * 8, preamble=False)
raw("bad-magic", b"GY\x02\x02\x00\x00", preamble=False)
raw("lone-G", b"G", preamble=False)
raw("http", b"GET / HTTP/1.1\r\n\r\n", preamble=False, chunk=2)

# Modes 2/3: 13-byte header, then the message 1 payload, then records (2-byte length + bytes).
def flight(name, payload=b"hello", records=(b"abc",), mode=2, chunk=0, flags=0, first=100,
           early=0, fill=0, offset=0, mask=0):
    header = bytes([mode, chunk, flags]) + struct.pack(">HHH", len(payload), first, early) \
        + bytes([fill]) + struct.pack(">H", offset) + bytes([mask])
    body = b"".join(struct.pack(">H", len(r)) + r for r in records)
    save("secure-handshake", "flight-" + name, header + payload + body)

hello = bytes([0x50, 0x00, 0x08]) + b"\x08\x02\x12\x04test"  # a HELLO-like first frame
flight("basic", payload=hello)
flight("no-payload-no-records", payload=b"", records=())
flight("chunked-1", chunk=1, records=(b"a" * 40, b"", b"b" * 3))
flight("chunked-7", chunk=7, records=(b"x" * 1000, b"y" * 17, b""))
flight("first-flight-overflow", first=40000, records=(b"after",))
flight("first-flight-at-limit", first=16384)
flight("two-writes", flags=8, first=20000)
flight("reply", flags=4, fill=40, records=(b"call 1", b"call 2"))
flight("big-record", records=(b"R" * 20000,), chunk=255)
flight("corrupt-tag", flags=1, offset=6, mask=0x80, records=(b"abc", b"defgh"))
flight("corrupt-length", flags=1, offset=0, mask=0x01, records=(b"abc",))
flight("corrupt-second", flags=1, offset=25, mask=0xff, records=(b"abc", b"defghij", b"k"))
flight("early-flood", flags=2, early=16385, fill=0x41, chunk=0)
flight("early-flood-chunked", flags=2, early=20000, fill=0x00, chunk=200)
flight("early-at-cap", flags=2, early=16384, fill=0xff)
flight("early-one-byte", flags=2, early=1, fill=0x00)
flight("early-incomplete-record", flags=2, early=2, fill=0x01)
flight("unauthenticated", mode=3)
flight("unauthenticated-early", mode=3, flags=2, early=100)
flight("long-payload", payload=b"P" * 2000, chunk=0)

# text: pieces separated by 0xFF, filling results, cadre name, position, plan summary,
# activity, gift, unit, commune requests, then more cadres/activities/gifts.
def text(name, *pieces):
    save("text", name, b"\xff".join(p.encode("utf-8") if isinstance(p, str) else p for p in pieces))

nfc = lambda s: unicodedata.normalize("NFC", s)
nfd = lambda s: unicodedata.normalize("NFD", s)
visit = ["Rà soát 38 hộ nghèo bản Na Sang", "Giàng Thị Dợ", "Cán bộ khuyến nông", "Kế hoạch tháng 6",
         "Tập huấn trồng thảo quả", "Chăn bông", "chiếc", "Đề nghị hỗ trợ giống lúa"]
text("visit-nfc", *map(nfc, visit))
text("visit-nfd", *map(nfd, visit))
text("visit-multiline", "Dòng một\nDòng hai\n\nDòng bốn", "Lò Văn Pâng", "", "Kế hoạch\ncó hai dòng")
text("more-cadres", *map(nfc, visit), "Vàng A Sử", "Trưởng bản", "Kiểm tra", "Gạo", "kg", "Hờ Thị Mai")
text("upper", "ĐƯỜNG HOÀ THUẬN", "NGUYỄN VĂN ỬNG", "ỨNG", "ƠN", "ƯỚC")
text("tone-placement", "hòa hoà thủy thuỷ", nfd("hòa"), "Hoà" + "\u0300")
text("combining-runs", "a" + "\u0301" * 5, "e\u0323\u0302\u0301\u0300\u0303", "\u0301", "x" + "\u0300" * 40)
text("bidi", "Lò\u202eVăn Pâng", "\u2066admin\u2069", "\u202aA\u202c", "\u200f\u200e")
text("zero-width", "Giàng\u200bThị", "Nguy\u200dễn", "\ufeffCán bộ", "x\u200cy")
text("emoji-zwj", "👨‍👩‍👧‍👦 gia đình", "🏳️‍🌈", "👩🏽‍🌾", "🧑‍🤝‍🧑" * 10)
text("tag-characters", "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f", "a\U000e0041")
text("controls", "a\tb", "c\r\nd", "\x00", "\x85NEL", "\x7f", "\x1b[31m")
text("whitespace", "  \u00a0Mường Nhé\u3000 ", "\u2028", " \t\n ", "\u1680x\u2000")
text("invalid-utf8", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe1\xbb", b"\xfe")
text("long-long-field", "ă" * 4001, "đ" * 201)
text("long-nfd", nfd("ướ") * 1500)
text("fast-path-edges", "\u1e9b\u0323", "\u1ea0\u0306", "A\u0308\u0304", "\u0340\u0341", "\u1e00\u0301")
text("other-scripts", "Ελληνικά", "日本語", "ﬁ ligature", "İstanbul", "ß ẞ", "Ωℌ℃")
text("supplementary-composition", "\U00020065\u0301", "x\U000e0041\u0300", "\U00011100\u1161")  # CoreFoundation NFC bug
text("empty")
print(" ".join(f"{t}: {n} seeds" for t, n in written.items()))
