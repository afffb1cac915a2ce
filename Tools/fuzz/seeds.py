#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into DIR/<target>/ (run.sh seeds them into the
kept corpus; a merge then drops the ones that add no coverage). Sources: the frames of
Protocol/test-vectors.json, the messages inside them, bundles built from those messages, and
hand-made edge cases."""
import hashlib, json, os, struct, sys, zlib

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
out = sys.argv[1]
vectors = json.load(open(os.path.join(root, "Protocol", "test-vectors.json")))

def varint(n):
    b = bytearray()
    while n >= 0x80:
        b.append(n & 0x7F | 0x80); n >>= 7
    b.append(n); return bytes(b)

def read_varint(b, i):
    n = shift = 0
    while True:
        n |= (b[i] & 0x7F) << shift; shift += 7; i += 1
        if b[i - 1] & 0x80 == 0: return n, i

def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9); return c.compress(data) + c.flush()

def inflate(data):
    d = zlib.decompressobj(-15); return d.decompress(data) + d.flush()

def frame(type_, flags, call, body):
    return bytes([type_ << 4 | flags]) + varint(call) + varint(len(body)) + body

def field(num, wire, payload):
    key = varint(num << 3 | wire)
    if wire == 0: return key + varint(payload & (2**64 - 1))
    if wire == 1: return key + payload
    return key + varint(len(payload)) + payload

PREAMBLE = b"GX\x01\x01"
written = {}
def save(target, name, data):
    d = os.path.join(out, target); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, name), "wb").write(data)
    written[target] = written.get(target, 0) + 1

# Messages inside the vectors' frames (plain, and deflated as on the wire).
messages = []
streams = []
for v in vectors:
    raw = bytes.fromhex(v["hex"])
    streams.append((v["name"], raw if raw.startswith(b"GX") else PREAMBLE + raw))
    i = 4 if raw.startswith(b"GX") else 0
    while i < len(raw):
        header = raw[i]; call, i = read_varint(raw, i + 1); length, i = read_varint(raw, i)
        body = raw[i:i + length]; i += length
        type_, flags = header >> 4, header & 0xF
        if type_ == 1:
            _, j = read_varint(body, 0)
            if flags & 4:
                mlen, j = read_varint(body, j); messages.append(body[j:j + mlen]); j += mlen
            body = body[j:]
        if type_ in (1, 2) and flags & 3 == 1:
            messages.append(body); body = inflate(body)
        if type_ not in (4, 5, 6): messages.append(body)

# frame-decoder: selector byte (0 = whole stream, n = n-byte chunks) + stream.
for name, stream in streams:
    for sel in (0, 1, 5):
        save("frame-decoder", f"vector-{name}-chunk{sel}", bytes([sel]) + stream)
bomb = deflate(b"\0" * (1 << 20))
edge = {
    "empty": b"",
    "preamble-only": PREAMBLE,
    "preamble-partial": b"GX\x01",
    "bad-preamble-http": b"GET / HTTP/1.1\r\n",
    "bad-preamble-second-byte": b"GY\x01\x01",
    "hello-oversized": PREAMBLE + b"\x00\x00" + varint(16385),
    "hello-at-limit-truncated": PREAMBLE + b"\x00\x00" + varint(16384) + b"\x0a",
    "request-oversized": PREAMBLE + frame(0, 0, 0, b"") + b"\x10\x01" + varint((4 << 20) + 1),
    "reserved-flag": PREAMBLE + b"\x08\x00\x00",
    "reserved-type": PREAMBLE + b"\x80\x00\x00",
    "varint-non-minimal": PREAMBLE + b"\x00\x80\x00\x00",
    "varint-too-long": PREAMBLE + b"\x00\xff\xff\xff\xff\x1f\x00",
    "request-deflate-bomb": PREAMBLE + frame(0, 0, 0, b"") + frame(1, 1, 1, varint(2) + bomb),
    "response-deflate-bomb": PREAMBLE + frame(2, 1, 1, bomb),
    "request-mode2": PREAMBLE + frame(1, 2, 1, b"\x02\x0a\x00"),
    "request-metadata-past-body": PREAMBLE + frame(1, 4, 1, b"\x01\x09\x08"),
    "request-method-non-minimal": PREAMBLE + frame(1, 0, 1, b"\x81\x00"),
    "request-deflate-trailing": PREAMBLE + frame(1, 1, 1, b"\x02" + deflate(b"\x0a\x00") + b"\x00"),
    "status-unknown-code": PREAMBLE + frame(3, 0, 1, field(1, 0, 99) + field(2, 2, b"x")),
}
for name, stream in edge.items():
    save("frame-decoder", f"edge-{name}", bytes([0]) + stream)
    if len(stream) > 1: save("frame-decoder", f"edge-{name}-chunk1", bytes([1]) + stream)

# message-decoder: the message bytes as they are.
visit_extreme = field(1, 2, bytes(16)) + field(2, 2, b"03376") + field(3, 0, 2**63 - 1) + field(4, 0, -2**63) \
    + field(5, 2, field(1, 2, "Lò Văn A".encode())) + field(7, 2, field(1, 0, 99)) \
    + field(8, 2, field(1, 2, b"x") + field(2, 1, struct.pack("<d", float("nan"))) + field(4, 0, -1))
visit_bad_id = field(1, 2, b"\x01\x02") + field(10, 2, "  Cả\u0301 \x01".encode())
extra = {
    "empty": b"",
    "deflate-bomb": bomb,
    "deflate-truncated": bomb[:40],
    "submit-extreme-visit": field(1, 2, visit_extreme),
    "submit-bad-id": field(1, 2, visit_bad_id),
    "submit-extreme-deflated": deflate(field(1, 2, visit_extreme) * 8),
    "amend-extreme": field(1, 2, field(1, 2, visit_extreme) + field(2, 0, 1)),
    "listvisits-response-stored": field(1, 2, field(1, 2, visit_extreme) + field(3, 0, -2**63) + field(4, 2, b"STNMT")),
    "invalid-utf8-string": field(1, 2, b"\xff\xfe"),
    "status-field-errors": field(1, 0, 3) + field(3, 2, field(1, 2, b"cadres[0].name") + field(2, 2, b"required")),
}
for i, m in enumerate(dict.fromkeys(messages)):
    save("message-decoder", f"vector-message-{i}", m)
for name, m in extra.items():
    save("message-decoder", f"edge-{name}", m)

# context-stream: selector (bit 0: LZMA2, bit 1: dictionary 1) + parts, each a 2-byte length then its bytes.
def parts(*pieces):
    return b"".join(struct.pack(">H", len(p)) + p for p in pieces)
for v in vectors:
    if v["name"] not in ("submit-two-batches-context", "submit-two-batches-lzma2"): continue
    raw = bytes.fromhex(v["hex"]); pieces = []; i = 0
    while i < len(raw):
        header = raw[i]; call, i = read_varint(raw, i + 1); length, i = read_varint(raw, i)
        body = raw[i:i + length]; i += length
        _, j = read_varint(body, 0)
        if header & 4:
            mlen, j = read_varint(body, j); j += mlen
        pieces.append(body[j:])
    selector = 3 if "lzma2" in v["name"] else 2
    save("context-stream", f"vector-{v['name']}", bytes([selector]) + parts(*pieces))
    save("context-stream", f"vector-{v['name']}-second-only", bytes([selector]) + parts(pieces[1]))
    save("context-stream", f"vector-{v['name']}-cut", bytes([selector]) + parts(pieces[0][:-3]))
sync = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
text = "Tập huấn ủ phân hữu cơ cho 30 người dân bản Keo Lôm. ".encode() * 40
first = sync.compress(text) + sync.flush(zlib.Z_SYNC_FLUSH)
second = sync.compress(text[::-1]) + sync.flush(zlib.Z_SYNC_FLUSH)
save("context-stream", "deflate-no-dictionary", b"\x00" + parts(first[:-4], second[:-4]))
save("context-stream", "deflate-final-block", b"\x00" + parts(deflate(text)))
save("context-stream", "deflate-bomb", b"\x00" + parts(deflate(b"\0" * (1 << 20))))
try:
    import lzma
    raw_lzma2 = lambda data: lzma.compress(data, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 6, "dict_size": 256 << 10}])
    stream = raw_lzma2(text)  # ends with the 00 end marker, which mode 3 forbids
    save("context-stream", "lzma2-no-dictionary", b"\x01" + parts(stream[:-1]))
    save("context-stream", "lzma2-end-marker", b"\x01" + parts(stream))
    save("context-stream", "lzma2-bomb", b"\x01" + parts(raw_lzma2(b"\0" * (1 << 20))[:-1]))
    save("context-stream", "lzma2-stored-chunk", b"\x01" + parts(b"\x01\x00\x04hello"))
except ImportError:
    pass
save("context-stream", "empty", b"")
save("context-stream", "selector-only", b"\x03")

# bundle: selector 0 = file as is, 1 = file without its trailer (the harness appends it: the
# SHA-256 for format 1, 64 zero bytes for format 2's signature, which the parser does not check).
def bundle(header, payload, magic=b"GXB1"):
    body = magic + varint(len(header)) + header + varint(len(payload)) + payload
    return body
submits = [m for m in messages if m.startswith(b"\x0a") and b"\x12\x05" in m] or [field(1, 2, visit_extreme)]
for i, submit in enumerate(submits[:2] + [field(1, 2, visit_extreme)]):
    count = 1
    for mode, payload in ((0, submit), (1, deflate(submit))):
        header = field(1, 0, 1) + field(2, 2, b"STNMT") + field(3, 0, 1_750_000_000_000) + field(4, 0, count) \
            + (field(5, 0, mode) if mode else b"") + field(6, 2, b"giupxa/0.1")
        body = bundle(header, payload)
        save("bundle", f"bundle-{i}-mode{mode}-checksummed", b"\x00" + body + hashlib.sha256(body).digest())
        save("bundle", f"bundle-{i}-mode{mode}-unchecksummed", b"\x01" + body)
# Format 2 (signed): the structure the importer reads before it looks the credential up.
signer = bytes(range(32))
for i, submit in enumerate(submits[:1] + [field(1, 2, visit_extreme)]):
    for mode, payload in ((0, submit), (1, deflate(submit))):
        header = field(1, 0, 2) + field(2, 2, b"STNMT") + field(3, 0, 1_750_000_000_000) + field(4, 0, 1) \
            + (field(5, 0, mode) if mode else b"") + field(6, 2, b"giupxa/0.1") + field(7, 2, signer)
        body = bundle(header, payload, b"GXB2")
        save("bundle", f"signed-{i}-mode{mode}", b"\x00" + body + bytes(64))
        save("bundle", f"signed-{i}-mode{mode}-unsigned-tail", b"\x01" + body)
for name, body in {
    "signed-short-key": bundle(field(1, 0, 2) + field(7, 2, b"\x01" * 31), b"", b"GXB2"),
    "signed-version-1": bundle(field(1, 0, 1) + field(7, 2, signer), b"", b"GXB2"),
    "signed-magic-only": b"GXB2",
}.items():
    save("bundle", f"edge-{name}", b"\x01" + body)
for name, body in {
    "empty": b"",
    "magic-only": b"GXB1",
    "version-2": bundle(field(1, 0, 2), b""),
    "mode-7": bundle(field(1, 0, 1) + field(5, 0, 7), b""),
    "count-mismatch": bundle(field(1, 0, 1) + field(4, 0, 5), field(1, 2, visit_bad_id)),
    "bomb": bundle(field(1, 0, 1) + field(5, 0, 1), bomb),
    "trailing": bundle(field(1, 0, 1), b"") + b"\x00",
}.items():
    save("bundle", f"edge-{name}", b"\x01" + body)
print(" ".join(f"{t}: {n} seeds" for t, n in written.items()))
