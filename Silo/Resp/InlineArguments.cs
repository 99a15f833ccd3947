using System.Buffers;

namespace OrleansCache.Silo.Resp;

/// <summary>
/// Splits an inline command line into its arguments exactly as Redis does (<c>sdssplitargs</c>): whitespace
/// separates them; a double quote anywhere starts a quoted part with C-like escapes (<c>\n</c>, <c>\r</c>,
/// <c>\t</c>, <c>\b</c>, <c>\a</c>, <c>\xHH</c>, and <c>\</c> before any other character for that character); a
/// single quote starts one where only <c>\'</c> is an escape. A closing quote must end its argument.
/// </summary>
internal static class InlineArguments
{
    /// <summary>Adds the arguments of <paramref name="line"/> (without its <c>\n</c>) to <paramref name="arguments"/>;
    /// <see langword="false"/> when its quotes are unbalanced.</summary>
    public static bool TrySplit(ReadOnlySpan<byte> line, List<ReadOnlySequence<byte>> arguments)
    {
        var current = new List<byte>();
        int i = 0;
        while (true)
        {
            while (i < line.Length && IsSpace(line[i]))
            {
                i++;
            }

            if (i == line.Length)
            {
                return true;
            }

            current.Clear();
            char quote = '\0';
            bool done = false;
            while (!done)
            {
                if (quote == '"')
                {
                    if (i == line.Length)
                    {
                        return false;
                    }

                    if (line[i] == '\\' && i + 3 < line.Length && line[i + 1] == 'x' && IsHex(line[i + 2]) && IsHex(line[i + 3]))
                    {
                        current.Add((byte)((Hex(line[i + 2]) << 4) | Hex(line[i + 3])));
                        i += 3;
                    }
                    else if (line[i] == '\\' && i + 1 < line.Length)
                    {
                        i++;
                        current.Add(line[i] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Add(line[i]);
                    }
                }
                else if (quote == '\'')
                {
                    if (i == line.Length)
                    {
                        return false;
                    }

                    if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] == '\'')
                    {
                        current.Add((byte)'\'');
                        i++;
                    }
                    else if (line[i] == '\'')
                    {
                        if (i + 1 < line.Length && !IsSpace(line[i + 1]))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else
                    {
                        current.Add(line[i]);
                    }
                }
                else if (i == line.Length || IsSpace(line[i]))
                {
                    done = true;
                }
                else if (line[i] is (byte)'"' or (byte)'\'')
                {
                    quote = (char)line[i];
                }
                else
                {
                    current.Add(line[i]);
                }

                if (i < line.Length)
                {
                    i++;
                }
            }

            arguments.Add(new ReadOnlySequence<byte>(current.ToArray()));
        }
    }

    // Redis's isspace: space, \t, \n, \v, \f, \r.
    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int Hex(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
