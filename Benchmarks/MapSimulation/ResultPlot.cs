using System.Globalization;
using System.Text;

namespace OrleansCache.Benchmarks.MapSimulation;

/// <summary>
/// Draws the results at one replication factor as an SVG of three panels over the node count (log scale),
/// one colour per bucket count: primaries per node over the mean (max solid, min dashed), primaries moved
/// by a join (solid) and a leave (dashed) over the ideal, and build time.
/// </summary>
/// <remarks>Hand-written SVG: three small line charts need no plotting package.</remarks>
internal static class ResultPlot
{
    private const int PanelWidth = 340;
    private const int PanelHeight = 260;
    private const int Left = 56;
    private const int Top = 40;
    private const int PlotWidth = PanelWidth - Left - 16;
    private const int PlotHeight = PanelHeight - Top - 44;

    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

    /// <summary>Returns the SVG for the results with <paramref name="replicationFactor"/>.</summary>
    public static string Draw(IReadOnlyList<CellResult> results, int replicationFactor, string caption)
    {
        var cells = results.Where(r => r.ReplicationFactor == replicationFactor).ToList();
        var nodeCounts = cells.Select(r => r.Nodes).Distinct().Order().ToArray();
        var bucketCounts = cells.Select(r => r.Buckets).Distinct().Order().ToArray();
        var svg = new StringBuilder();
        int width = PanelWidth * 3;
        int height = PanelHeight + 40;
        svg.AppendLine(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<rect width="{width}" height="{height}" fill="white"/>""");
        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="8" y="16" font-size="13" font-weight="bold">{Escape(caption)}</text>""");

        Panel(svg, 0, "primaries per node / mean: max —, min - -", cells, nodeCounts, bucketCounts, r => r.PrimaryMax, r => r.PrimaryMin, logY: false, reference: 1.0);
        Panel(svg, 1, "primaries moved / ideal (log): join —, leave - -", cells, nodeCounts, bucketCounts, r => r.JoinPrimaries, r => r.LeavePrimaries, logY: true, reference: 1.0);
        Panel(svg, 2, "time to build the map, ms (log)", cells, nodeCounts, bucketCounts, r => r.BuildMilliseconds, null, logY: true, reference: null);

        // Legend under the panels.
        for (int i = 0; i < bucketCounts.Length; i++)
        {
            double x = Left + (i * 130);
            double y = PanelHeight + 24;
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"""<line x1="{x}" y1="{y - 4}" x2="{x + 24}" y2="{y - 4}" stroke="{Colors[i % Colors.Length]}" stroke-width="2"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{x + 30}" y="{y}">BUCKETS={bucketCounts[i]}</text>""");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Panel(
        StringBuilder svg, int column, string title, List<CellResult> cells, int[] nodeCounts, int[] bucketCounts,
        Func<CellResult, double> value, Func<CellResult, double>? dashed, bool logY, double? reference)
    {
        double originX = (column * PanelWidth) + Left;
        double originY = 20 + Top;
        var values = cells.Select(value).Concat(dashed is null ? [] : cells.Select(dashed)).Where(v => !logY || v > 0).ToList();
        double low = values.Min(), high = values.Max();
        if (reference is { } r)
        {
            low = Math.Min(low, r);
            high = Math.Max(high, r);
        }

        (low, high) = logY
            ? (Math.Pow(10, Math.Floor(Math.Log10(low))), Math.Pow(10, Math.Ceiling(Math.Log10(high))))
            : (Math.Floor(low * 5) / 5, Math.Ceiling(high * 5) / 5);
        if (high <= low)
        {
            high = low + 1;
        }

        double minNodes = Math.Log(nodeCounts[0]), maxNodes = Math.Log(nodeCounts[^1]);
        double X(int nodes) => originX + (nodeCounts.Length == 1 ? PlotWidth / 2.0 : (Math.Log(nodes) - minNodes) / (maxNodes - minNodes) * PlotWidth);
        double Y(double v) => originY + PlotHeight - ((logY ? (Math.Log10(v) - Math.Log10(low)) / (Math.Log10(high) - Math.Log10(low)) : (v - low) / (high - low)) * PlotHeight);

        svg.AppendLine(CultureInfo.InvariantCulture, $"""<text x="{originX}" y="{originY - 10}" font-weight="bold">{Escape(title)}</text>""");
        svg.AppendLine(CultureInfo.InvariantCulture,
            $"""<rect x="{originX}" y="{originY}" width="{PlotWidth}" height="{PlotHeight}" fill="none" stroke="#888"/>""");

        foreach (int nodes in nodeCounts)
        {
            double x = X(nodes);
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"""<line x1="{x:F1}" y1="{originY}" x2="{x:F1}" y2="{originY + PlotHeight}" stroke="#eee"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"""<text x="{x:F1}" y="{originY + PlotHeight + 14}" text-anchor="middle">{nodes}</text>""");
        }

        svg.AppendLine(CultureInfo.InvariantCulture,
            $"""<text x="{originX + (PlotWidth / 2.0)}" y="{originY + PlotHeight + 30}" text-anchor="middle">nodes (log scale)</text>""");

        foreach (double tick in Ticks(low, high, logY))
        {
            double y = Y(tick);
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"""<line x1="{originX}" y1="{y:F1}" x2="{originX + PlotWidth}" y2="{y:F1}" stroke="#eee"/>""");
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"""<text x="{originX - 4}" y="{y + 4:F1}" text-anchor="end">{tick.ToString("0.###", CultureInfo.InvariantCulture)}</text>""");
        }

        if (reference is { } line)
        {
            svg.AppendLine(CultureInfo.InvariantCulture,
                $"""<line x1="{originX}" y1="{Y(line):F1}" x2="{originX + PlotWidth}" y2="{Y(line):F1}" stroke="#444" stroke-dasharray="4 3"/>""");
        }

        for (int i = 0; i < bucketCounts.Length; i++)
        {
            string color = Colors[i % Colors.Length];
            Line(value, dash: null);
            if (dashed is not null)
            {
                Line(dashed, dash: "5 3");
            }

            void Line(Func<CellResult, double> of, string? dash)
            {
                var shown = cells.Where(c => c.Buckets == bucketCounts[i] && (!logY || of(c) > 0)).OrderBy(c => c.Nodes).ToList();
                var points = shown.Select(c => string.Create(CultureInfo.InvariantCulture, $"{X(c.Nodes):F1},{Y(of(c)):F1}"));
                string dashing = dash is null ? string.Empty : $" stroke-dasharray=\"{dash}\"";
                svg.AppendLine(CultureInfo.InvariantCulture,
                    $"""<polyline points="{string.Join(' ', points)}" fill="none" stroke="{color}" stroke-width="2"{dashing}/>""");
                foreach (var c in shown)
                {
                    svg.AppendLine(CultureInfo.InvariantCulture,
                        $"""<circle cx="{X(c.Nodes):F1}" cy="{Y(of(c)):F1}" r="2.5" fill="{color}"/>""");
                }
            }
        }
    }

    // Even steps on a linear axis; 1, 2 and 5 times each power of ten on a log axis spanning at most two
    // decades, each power of ten beyond.
    private static IEnumerable<double> Ticks(double low, double high, bool logY)
    {
        if (logY)
        {
            double[] steps = high / low <= 100 ? [1, 2, 5] : [1];
            for (double decade = low; decade <= high * 1.0001; decade *= 10)
            {
                foreach (double factor in steps)
                {
                    if (decade * factor <= high * 1.0001)
                    {
                        yield return decade * factor;
                    }
                }
            }

            yield break;
        }

        // Steps of 0.2 (the bounds are rounded to fifths), fewer when the range is wide.
        int count = (int)Math.Round((high - low) / 0.2);
        count = count is > 0 and <= 8 ? count : 5;
        double step = (high - low) / count;
        for (int i = 0; i <= count; i++)
        {
            yield return low + (i * step);
        }
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
