using System.Buffers.Binary;
using System.IO.Compression;

namespace StratumAI.RouterEval;

/// <summary>A tiny RGB raster with lines, dots and a 5×7 bitmap font, saved as PNG (zlib via ZLibStream). No dependencies.</summary>
internal sealed class Canvas(int width, int height)
{
    private readonly byte[] _pixels = Fill(width, height);

    public int Width => width;

    public int Height => height;

    private static byte[] Fill(int w, int h)
    {
        var p = new byte[w * h * 3];
        Array.Fill(p, (byte)255);
        return p;
    }

    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if (x < 0 || y < 0 || x >= width || y >= height)
        {
            return;
        }

        var i = ((y * width) + x) * 3;
        _pixels[i] = c.R;
        _pixels[i + 1] = c.G;
        _pixels[i + 2] = c.B;
    }

    public void Line(double x0, double y0, double x1, double y1, (byte, byte, byte) c, int thickness = 1, bool dashed = false)
    {
        var steps = (int)Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0)) + 1;
        for (var s = 0; s <= steps; s++)
        {
            if (dashed && (s / 6) % 2 == 1)
            {
                continue;
            }

            var t = (double)s / steps;
            var x = (int)Math.Round(x0 + ((x1 - x0) * t));
            var y = (int)Math.Round(y0 + ((y1 - y0) * t));
            for (var dx = 0; dx < thickness; dx++)
            {
                for (var dy = 0; dy < thickness; dy++)
                {
                    Set(x + dx - (thickness / 2), y + dy - (thickness / 2), c);
                }
            }
        }
    }

    public void Dot(double cx, double cy, int radius, (byte, byte, byte) c)
    {
        for (var dx = -radius; dx <= radius; dx++)
        {
            for (var dy = -radius; dy <= radius; dy++)
            {
                if ((dx * dx) + (dy * dy) <= radius * radius)
                {
                    Set((int)Math.Round(cx) + dx, (int)Math.Round(cy) + dy, c);
                }
            }
        }
    }

    public void Square(double cx, double cy, int half, (byte, byte, byte) c)
    {
        for (var dx = -half; dx <= half; dx++)
        {
            for (var dy = -half; dy <= half; dy++)
            {
                Set((int)Math.Round(cx) + dx, (int)Math.Round(cy) + dy, c);
            }
        }
    }

    public void Text(int x, int y, string text, (byte, byte, byte) c, int scale = 2)
    {
        foreach (var ch in text.ToUpperInvariant())
        {
            if (Font.Glyphs.TryGetValue(ch, out var rows))
            {
                for (var r = 0; r < 7; r++)
                {
                    for (var col = 0; col < 5; col++)
                    {
                        if (rows[r][col] == '#')
                        {
                            for (var sx = 0; sx < scale; sx++)
                            {
                                for (var sy = 0; sy < scale; sy++)
                                {
                                    Set(x + (col * scale) + sx, y + (r * scale) + sy, c);
                                }
                            }
                        }
                    }
                }
            }

            x += 6 * scale;
        }
    }

    public static int TextWidth(string text, int scale = 2) => text.Length * 6 * scale;

    public void SavePng(string path)
    {
        using var file = File.Create(path);
        file.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 2; // RGB
        Chunk(file, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                z.WriteByte(0); // filter: none
                z.Write(_pixels, y * width * 3, width * 3);
            }
        }

        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
    }

    private static void Chunk(Stream stream, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        stream.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        stream.Write(typeBytes);
        stream.Write(data);
        var crc = Crc32(typeBytes, data);
        var crcBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        stream.Write(crcBytes);
    }

    private static uint Crc32(byte[] a, byte[] b)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var part in new[] { a, b })
        {
            foreach (var x in part)
            {
                crc ^= x;
                for (var k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
                }
            }
        }

        return ~crc;
    }
}

internal static class Font
{
    public static readonly Dictionary<char, string[]> Glyphs = new()
    {
        ['A'] = [" ### ", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        ['B'] = ["#### ", "#   #", "#   #", "#### ", "#   #", "#   #", "#### "],
        ['C'] = [" ### ", "#   #", "#    ", "#    ", "#    ", "#   #", " ### "],
        ['D'] = ["#### ", "#   #", "#   #", "#   #", "#   #", "#   #", "#### "],
        ['E'] = ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#####"],
        ['F'] = ["#####", "#    ", "#    ", "#### ", "#    ", "#    ", "#    "],
        ['G'] = [" ### ", "#   #", "#    ", "# ###", "#   #", "#   #", " ####"],
        ['H'] = ["#   #", "#   #", "#   #", "#####", "#   #", "#   #", "#   #"],
        ['I'] = [" ### ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['J'] = ["  ###", "   # ", "   # ", "   # ", "   # ", "#  # ", " ##  "],
        ['K'] = ["#   #", "#  # ", "# #  ", "##   ", "# #  ", "#  # ", "#   #"],
        ['L'] = ["#    ", "#    ", "#    ", "#    ", "#    ", "#    ", "#####"],
        ['M'] = ["#   #", "## ##", "# # #", "# # #", "#   #", "#   #", "#   #"],
        ['N'] = ["#   #", "#   #", "##  #", "# # #", "#  ##", "#   #", "#   #"],
        ['O'] = [" ### ", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        ['P'] = ["#### ", "#   #", "#   #", "#### ", "#    ", "#    ", "#    "],
        ['Q'] = [" ### ", "#   #", "#   #", "#   #", "# # #", "#  # ", " ## #"],
        ['R'] = ["#### ", "#   #", "#   #", "#### ", "# #  ", "#  # ", "#   #"],
        ['S'] = [" ####", "#    ", "#    ", " ### ", "    #", "    #", "#### "],
        ['T'] = ["#####", "  #  ", "  #  ", "  #  ", "  #  ", "  #  ", "  #  "],
        ['U'] = ["#   #", "#   #", "#   #", "#   #", "#   #", "#   #", " ### "],
        ['V'] = ["#   #", "#   #", "#   #", "#   #", "#   #", " # # ", "  #  "],
        ['W'] = ["#   #", "#   #", "#   #", "# # #", "# # #", "# # #", " # # "],
        ['X'] = ["#   #", "#   #", " # # ", "  #  ", " # # ", "#   #", "#   #"],
        ['Y'] = ["#   #", "#   #", " # # ", "  #  ", "  #  ", "  #  ", "  #  "],
        ['Z'] = ["#####", "    #", "   # ", "  #  ", " #   ", "#    ", "#####"],
        ['0'] = [" ### ", "#   #", "#  ##", "# # #", "##  #", "#   #", " ### "],
        ['1'] = ["  #  ", " ##  ", "  #  ", "  #  ", "  #  ", "  #  ", " ### "],
        ['2'] = [" ### ", "#   #", "    #", "   # ", "  #  ", " #   ", "#####"],
        ['3'] = ["#####", "   # ", "  #  ", "   # ", "    #", "#   #", " ### "],
        ['4'] = ["   # ", "  ## ", " # # ", "#  # ", "#####", "   # ", "   # "],
        ['5'] = ["#####", "#    ", "#### ", "    #", "    #", "#   #", " ### "],
        ['6'] = ["  ## ", " #   ", "#    ", "#### ", "#   #", "#   #", " ### "],
        ['7'] = ["#####", "    #", "   # ", "  #  ", " #   ", " #   ", " #   "],
        ['8'] = [" ### ", "#   #", "#   #", " ### ", "#   #", "#   #", " ### "],
        ['9'] = [" ### ", "#   #", "#   #", " ####", "    #", "   # ", " ##  "],
        ['.'] = ["     ", "     ", "     ", "     ", "     ", " ##  ", " ##  "],
        [','] = ["     ", "     ", "     ", "     ", " ##  ", "  #  ", " #   "],
        ['-'] = ["     ", "     ", "     ", "#####", "     ", "     ", "     "],
        ['+'] = ["     ", "  #  ", "  #  ", "#####", "  #  ", "  #  ", "     "],
        ['$'] = ["  #  ", " ####", "# #  ", " ### ", "  # #", "#### ", "  #  "],
        ['%'] = ["##   ", "##  #", "   # ", "  #  ", " #   ", "#  ##", "   ##"],
        ['('] = ["   # ", "  #  ", " #   ", " #   ", " #   ", "  #  ", "   # "],
        [')'] = [" #   ", "  #  ", "   # ", "   # ", "   # ", "  #  ", " #   "],
        ['/'] = ["     ", "    #", "   # ", "  #  ", " #   ", "#    ", "     "],
        [':'] = ["     ", " ##  ", " ##  ", "     ", " ##  ", " ##  ", "     "],
        ['='] = ["     ", "     ", "#####", "     ", "#####", "     ", "     "],
        ['_'] = ["     ", "     ", "     ", "     ", "     ", "     ", "#####"],
        ['Λ'] = ["  #  ", "  #  ", " # # ", " # # ", "#   #", "#   #", "#   #"],
    };
}
