#!/usr/bin/env python3
"""Server memory (RSS) under many connections — issue 6 (d), the GiupXa side.

  Tools/memory/memory-bench.py [--bin DIR] [--idle 10000] [--slow 1000] [--json FILE]

Starts a fresh `giupxa-server` (from DIR, default: `swift build -c release` output), then:
  1. opens --idle connections that each complete the handshake (preamble + HELLO, answered by the
     server's HELLO) and then stay idle; reports the server's RSS;
  2. closes them and opens --slow connections that each send a realistic SubmitVisits call at
     2G speed (20 kbit/s: one 50-byte chunk every 20 ms), call after call; reports RSS while they
     trickle.
Connections use plaintext v1 on loopback (this script does not implement the Noise handshake);
a v2 connection holds about 200 bytes more of cipher state. RSS is read from /proc/PID/status.
With --lzma2 the trickling connections ask for the LZMA2 request stream (PROTOCOL.md §9.4) and
send every call in it, so each holds the server's LZMA2 decoder (256 KiB window): the worst case,
since the real client puts only messages of 12 KiB and more in that stream.
"""
import argparse, asyncio, json, lzma, os, resource, subprocess, sys, tempfile, time

def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F; n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n: return bytes(out)

def field(number, wire, payload):
    return varint(number << 3 | wire) + (varint(len(payload)) + payload if wire == 2 else payload)

def frame(ftype, flags, call_id, body):
    return bytes([ftype << 4 | flags]) + varint(call_id) + varint(len(body)) + body

def hello(agency, secret, lzma2=False):
    credential = field(1, 2, agency.encode()) + field(2, 2, secret.encode())
    body = field(1, 2, b"memory-bench") + field(2, 2, credential) + field(3, 2, b"en")
    if lzma2: body += field(7, 0, varint(1))   # ClientHello.compression_context_lzma2
    return bytes([0x47, 0x58, 1, 1]) + frame(0, 0, 0, body)

def lzma2_part(message):
    # Raw LZMA2 as the stream needs it (256 KiB dictionary), without the end marker (00) that
    # mode 3 never sends; each part starts with a dictionary reset, which the stream allows.
    return lzma.compress(message, format=lzma.FORMAT_RAW,
                         filters=[{"id": lzma.FILTER_LZMA2, "preset": 6, "dict_size": 256 << 10}])[:-1]

def submit_request(call_id, visit_id, lzma2=False):
    # SubmitVisitsRequest{visits: [Visit{id, commune_code, start, end, cadres[1], results}]} — an
    # already-stored visit after the first call, so the server does the full intake each time.
    text = "Rà soát 38 hộ nghèo, cập nhật thông tin thu nhập và nhà ở; tập huấn kỹ thuật trồng sa nhân dưới tán rừng".encode()
    visit = (field(1, 2, visit_id) + field(2, 2, b"03376") + field(3, 0, varint(1552352400)) + field(4, 0, varint(1552525200))
             + field(5, 2, field(1, 2, "Lò Văn Minh".encode()) + field(2, 2, "Phó Giám đốc Sở".encode()))
             + field(9, 2, text * 3))
    if lzma2:
        return frame(1, 3, call_id, varint(2) + lzma2_part(field(1, 2, visit)))   # mode 3, LZMA2 stream
    body = varint(2) + field(1, 2, visit)   # method 2, no metadata, uncompressed
    return frame(1, 0, call_id, body)

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"): return int(line.split()[1])
    return 0

async def open_idle(port, hello_bytes, count):
    conns = []
    sem = asyncio.Semaphore(500)
    async def one():
        async with sem:
            r, w = await asyncio.open_connection("127.0.0.1", port)
            w.write(hello_bytes); await w.drain()
            head = await r.readexactly(1)
            if head[0] >> 4 != 0: raise RuntimeError(f"handshake refused (frame type {head[0] >> 4})")
            conns.append((r, w))
    await asyncio.gather(*(one() for _ in range(count)))
    return conns

async def slow_sender(port, hello_bytes, stop, stats, lzma2):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(hello_bytes); await w.drain()
    call = 1
    visit_id = os.urandom(16)
    async def reader():
        try:
            while True:
                data = await r.read(4096)
                if not data:
                    # The server ended the connection (a GOAWAY for a call it could not read).
                    if not stop.is_set(): stats["closed_by_server"] += 1
                    return
                stats["bytes_down"] += len(data)
        except Exception: return
    task = asyncio.create_task(reader())
    try:
        while not stop.is_set():
            req = submit_request(call, visit_id, lzma2)
            for i in range(0, len(req), 50):   # 50 bytes / 20 ms = 20 kbit/s
                w.write(req[i:i + 50]); await w.drain()
                stats["bytes_up"] += len(req[i:i + 50])
                await asyncio.sleep(0.02)
            call += 1; stats["calls"] += 1
    finally:
        w.close(); task.cancel()

async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin"); ap.add_argument("--idle", type=int, default=10000); ap.add_argument("--slow", type=int, default=1000)
    ap.add_argument("--slow-seconds", type=float, default=20); ap.add_argument("--json")
    ap.add_argument("--lzma2", action="store_true", help="trickling connections send every call in the LZMA2 request stream")
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    bindir = a.bin or subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    server_bin = os.path.join(bindir, "giupxa-server")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    work = tempfile.mkdtemp(prefix="giupxa-mem-")
    db = os.path.join(work, "s.sqlite")
    subprocess.run([server_bin, "init", "--db", db], check=True, capture_output=True)
    secret = json.loads(subprocess.run([server_bin, "credential", "issue", "--db", db, "--agency", "STNMT", "--format", "json"],
                                       check=True, capture_output=True, text=True).stdout)["secret"]
    port_file = os.path.join(work, "port")
    server = subprocess.Popen([server_bin, "serve", "--db", db, "--listen", "127.0.0.1:0", "--port-file", port_file,
                               "--max-connections", "20000", "--rate", "100000", "--burst", "100000", "--log-level", "error"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(port_file): break
            await asyncio.sleep(0.05)
        port = int(open(port_file).read())
        hello_bytes = hello("STNMT", secret)
        await asyncio.sleep(0.5)
        base = rss_kb(server.pid)
        started = time.time()
        conns = await open_idle(port, hello_bytes, a.idle)
        opened = time.time() - started
        await asyncio.sleep(2)
        idle = rss_kb(server.pid)
        for _, w in conns: w.close()
        await asyncio.sleep(2)
        stats = {"calls": 0, "bytes_up": 0, "bytes_down": 0, "closed_by_server": 0}
        stop = asyncio.Event()
        slow_hello = hello("STNMT", secret, lzma2=a.lzma2)
        tasks = [asyncio.create_task(slow_sender(port, slow_hello, stop, stats, a.lzma2)) for _ in range(a.slow)]
        samples = []
        for _ in range(int(a.slow_seconds)):
            await asyncio.sleep(1); samples.append(rss_kb(server.pid))
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        result = {
            "server_rss_base_mb": round(base / 1024, 1),
            "idle_connections": a.idle, "server_rss_idle_mb": round(idle / 1024, 1),
            "per_idle_connection_kb": round((idle - base) / max(a.idle, 1), 2), "idle_open_seconds": round(opened, 1),
            "slow_connections": a.slow, "slow_lzma2": a.lzma2, "server_rss_slow_peak_mb": round(max(samples) / 1024, 1),
            "slow_calls_completed": stats["calls"], "slow_closed_by_server": stats["closed_by_server"], "slow_seconds": a.slow_seconds,
            "slow_kbit_per_connection": round(stats["bytes_up"] * 8 / 1000 / a.slow_seconds / max(a.slow, 1), 1),
        }
        print(f"server RSS: {result['server_rss_base_mb']} MB at rest; {result['server_rss_idle_mb']} MB with {a.idle} idle "
              f"authenticated connections ({result['per_idle_connection_kb']} KB each, opened in {result['idle_open_seconds']} s); "
              f"peak {result['server_rss_slow_peak_mb']} MB with {a.slow} connections trickling calls at "
              f"{result['slow_kbit_per_connection']} kbit/s each ({stats['calls']} calls in {a.slow_seconds:.0f} s"
              f"{', every call in the LZMA2 stream' if a.lzma2 else ''}; {stats['closed_by_server']} closed by the server)")
        if a.json:
            with open(a.json, "w") as f: json.dump(result, f, indent=1)
    finally:
        server.terminate(); server.wait(timeout=30)

asyncio.run(main())
