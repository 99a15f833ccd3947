namespace OrleansCache.Client;

/// <summary>Writes rows as left-aligned columns separated by two spaces, the first row being the header.</summary>
internal static class TextTable
{
    public static void Write(TextWriter output, IReadOnlyList<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (int column = 0; column < row.Length; column++)
            {
                widths[column] = Math.Max(widths[column], row[column].Length);
            }
        }

        foreach (var row in rows)
        {
            for (int column = 0; column < row.Length - 1; column++)
            {
                output.Write(row[column].PadRight(widths[column] + 2));
            }

            output.WriteLine(row[^1]);
        }
    }
}
