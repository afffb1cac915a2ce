// What every fuzz target's executable shares: libFuzzer's entry points (the binaries are built
// with -sanitize=fuzzer, see run.sh).

/// Runs one input through `harness` and traps on any problem it reports, as libFuzzer expects.
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int, through harness: ([UInt8]) -> [String]) -> CInt {
    let input = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let problems = harness(input)
    if !problems.isEmpty { fatalError(problems.joined(separator: "\n")) }
    return 0
}

// SwiftPM links executables on Linux with `--defsym main=<Module>_main`, a symbol that
// -parse-as-library never emits; libFuzzer's own main is then never used. Each target defines
// it and hands over to libFuzzer's driver, which is what libFuzzer's main does.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// libFuzzer's driver over `callback` (the target's LLVMFuzzerTestOneInput).
public func runLibFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}
