#!/usr/bin/env python3
"""Fails when a target's imports break the layering or use an undeclared dependency.

    python3 Tools/check-imports.py          # from anywhere; reads `swift package dump-package`

Checked for every target of the root package (tests included):
1. Each module it imports is one of its declared dependencies (a target or a product), itself
   (`@testable` tests aside), or a system module. An import that builds only because another
   dependency drags it in breaks when that one changes.
2. The arrows point one way (README, "Shape"): the layers below may not import the ones above.
3. Libraries do not print: only the CLI support target and executables write to stdout/stderr.
"""
import json
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Modules every target may import without declaring them.
SYSTEM = {"Foundation", "FoundationEssentials", "Dispatch", "Glibc", "Darwin", "Musl", "Synchronization", "Testing", "XCTest"}

# What each library target must never import (directly), with the reason.
FORBIDDEN = {
    "GiupXaModels": ({"GiupXa*", "NIO*", "SwiftProtobuf", "GRDB", "Logging", "ArgumentParser"}, "models are the bottom layer: no I/O, no wire"),
    "GiupXaMessages": ({"GiupXaProtocol", "GiupXaStorage", "GiupXaReports", "GiupXaServer", "GiupXaClient", "NIO*"}, "messages sit on models only (no NIO)"),
    "GiupXaReports": ({"GiupXaMessages", "GiupXaProtocol", "GiupXaStorage", "GiupXaServer", "GiupXaClient", "GiupXaCLISupport", "NIO*", "SwiftProtobuf", "GRDB", "ArgumentParser", "Logging"}, "reports are computed from models alone"),
    "GiupXaReportMessages": ({"GiupXaProtocol", "GiupXaStorage", "GiupXaServer", "GiupXaClient", "NIO*"}, "report messages are conversions, not I/O"),
    "GiupXaProtocol": ({"GiupXaReports", "GiupXaReportMessages", "GiupXaStorage", "GiupXaServer", "GiupXaClient", "NIOPosix", "GRDB", "Logging", "ArgumentParser"}, "the wire knows frames and messages, not reports, storage or sockets"),
    "GiupXaStorage": ({"GiupXaProtocol", "GiupXaReports", "GiupXaReportMessages", "GiupXaServer", "GiupXaClient", "NIO*", "ArgumentParser"}, "storage stands beside the wire, on models and messages"),
    "GiupXaServer": ({"GiupXaClient", "ArgumentParser", "GiupXaCLISupport"}, "the server library is not a CLI and never links the client"),
    "GiupXaClient": ({"GiupXaServer", "GiupXaStorage", "ArgumentParser", "GiupXaCLISupport"}, "the thin client never links the server or its storage"),
    "GiupXaCLISupport": ({"GiupXaServer", "GiupXaClient", "GiupXaStorage", "GiupXaProtocol", "NIO*"}, "CLI support formats; it does no networking or storage"),
    "GiupXaNoise": ({"GiupXa*", "NIO*"}, "the Noise core is self-contained"),
    "GiupXaFiles": ({"GiupXa*", "NIO*"}, "file helpers are self-contained"),
    "GiupXaLinkSim": ({"GiupXa*"}, "the link simulator knows bytes, not the protocol"),
}

# Library targets allowed to write to the terminal.
MAY_PRINT = {"GiupXaCLISupport"}
PRINTING = re.compile(r"\bprint\(|FileHandle\.standard(Output|Error)|\bfputs\(|\bputs\(")
IMPORT = re.compile(r"^(?:@[\w()]+\s+)*(?:public |package |internal |fileprivate |private )?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][\w]*)", re.M)


def matches(module: str, patterns: set[str]) -> bool:
    return any(module == p or (p.endswith("*") and module.startswith(p[:-1])) for p in patterns)


def main() -> int:
    dump = json.loads(subprocess.check_output(["swift", "package", "dump-package"], cwd=ROOT, stderr=subprocess.DEVNULL))
    targets = {t["name"]: t for t in dump["targets"]}
    problems: list[str] = []
    for name, target in sorted(targets.items()):
        declared = set()
        for dependency in target["dependencies"]:
            for kind in ("byName", "target", "product"):
                if kind in dependency:
                    declared.add(dependency[kind][0])
        folder = ROOT / (target.get("path") or ("Tests" if target["type"] == "test" else "Sources")) 
        if not target.get("path"):
            folder = folder / name
        for file in sorted(folder.rglob("*.swift")):
            text = file.read_text(encoding="utf-8")
            relative = file.relative_to(ROOT)
            for module in sorted(set(IMPORT.findall(text))):
                if module in SYSTEM or module == name:
                    continue
                if module not in declared:
                    problems.append(f"{relative}: imports {module}, which {name} does not declare in Package.swift")
                rule = FORBIDDEN.get(name)
                if rule and matches(module, rule[0]) and module != name:
                    problems.append(f"{relative}: {name} imports {module}: {rule[1]}")
            if target["type"] == "regular" and name.startswith("GiupXa") and name not in MAY_PRINT:
                for number, line in enumerate(text.splitlines(), 1):
                    code = line.split("//", 1)[0]
                    if PRINTING.search(code):
                        problems.append(f"{relative}:{number}: {name} writes to the terminal; libraries return values and errors, executables print")
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"imports: {len(targets)} targets checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
