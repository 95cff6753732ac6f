import Foundation

/// What the CPU running this process offers the kernels beyond the AVX2 + FMA they are built for.
public enum CPUFeatures {
    /// AVX-512 F, CD, BW, DQ and VL (what `skylake-avx512` code may use), as Linux lists them in
    /// /proc/cpuinfo; the kernel lists them only when it also saves the 512-bit registers.
    /// `RNNSWEEP_GEMM_TILE=8` turns the wide tile off (to compare the two, or to rule it out).
    public static let hasAVX512: Bool = {
        #if os(Linux) && arch(x86_64)
        if ProcessInfo.processInfo.environment["RNNSWEEP_GEMM_TILE"] == "8" { return false }
        return cpuFlags(fromCPUInfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")
            .isSuperset(of: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])
        #else
        return false
        #endif
    }()

    /// The flags of the first processor listed in /proc/cpuinfo's text.
    static func cpuFlags(fromCPUInfo text: String) -> Set<Substring> {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " "))
    }
}
