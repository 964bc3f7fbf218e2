using System.IO.Compression;

namespace StratumAI.Testing.Fixtures;

/// <summary>Undoes a recorded <c>Content-Encoding</c> when a recording kept the compressed bytes.</summary>
internal static class ContentCoding
{
    public static byte[] Decode(byte[] body, string? contentEncoding)
    {
        if (body.Length < 2 || string.IsNullOrWhiteSpace(contentEncoding))
        {
            return body;
        }

        var coding = contentEncoding.Trim().ToUpperInvariant();
        // Recorders often store the already-decoded text while keeping the header; only decode real gzip/zlib bytes.
        if (coding == "GZIP" && body[0] == 0x1f && body[1] == 0x8b)
        {
            return Inflate(new GZipStream(new MemoryStream(body), CompressionMode.Decompress));
        }

        if (coding == "DEFLATE" && body[0] == 0x78)
        {
            return Inflate(new ZLibStream(new MemoryStream(body), CompressionMode.Decompress));
        }

        return body;
    }

    private static byte[] Inflate(Stream decoder)
    {
        using (decoder)
        {
            using var output = new MemoryStream();
            decoder.CopyTo(output);
            return output.ToArray();
        }
    }
}
