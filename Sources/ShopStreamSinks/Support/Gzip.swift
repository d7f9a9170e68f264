import Czlib
import Foundation

/// gzip (RFC 1952) in one call, through zlib.
enum Gzip {
    static func compress(_ input: Data, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        // 15 window bits + 16: a gzip header and trailer instead of zlib's.
        var status = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw SinkError(.encoding, "zlib could not start compressing (status \(status))") }
        defer { deflateEnd(&stream) }
        var output = Data(count: Int(deflateBound(&stream, uLong(input.count))))
        let capacity = output.count
        status = input.withUnsafeBytes { (inp: UnsafeRawBufferPointer) -> Int32 in
            output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int32 in
                stream.next_in = UnsafeMutablePointer(mutating: inp.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(capacity)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw SinkError(.encoding, "zlib could not compress an object (status \(status))") }
        output.count = Int(stream.total_out)
        return output
    }

    static func decompress(_ input: Data) throws -> Data {
        var stream = z_stream()
        var status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw SinkError(.encoding, "zlib could not start decompressing (status \(status))") }
        defer { inflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try input.withUnsafeBytes { (inp: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: inp.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(inp.count)
            repeat {
                status = chunk.withUnsafeMutableBytes { out in
                    stream.next_out = out.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw SinkError(.encoding, "not valid gzip data (zlib status \(status))")
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            } while status != Z_STREAM_END && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        guard status == Z_STREAM_END else { throw SinkError(.encoding, "gzip data ends early") }
        return output
    }
}
