using System.Globalization;
using System.Text;

namespace OrleansCache.Benchmarks.MapSimulation;

/// <summary>The results as one Markdown table, a row per cluster shape.</summary>
internal static class ResultTable
{
    /// <summary>Formats <paramref name="results"/>.</summary>
    public static string Format(IEnumerable<CellResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine("| nodes | buckets | RF | primaries max/mean | primaries min/mean | copies max/mean | copies min/mean | join: primaries moved / ideal | join: rank moves / ideal | join: transfers / ideal | leave: primaries moved / ideal | leave: rank moves / ideal | leave: transfers / ideal | build ms (median) | allocated KiB | held KiB |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"| {r.Nodes} | {r.Buckets} | {r.ReplicationFactor} | {r.PrimaryMax:F2} | {r.PrimaryMin:F2} | {r.CopiesMax:F2} | {r.CopiesMin:F2} ");
            text.Append(CultureInfo.InvariantCulture,
                $"| {r.JoinPrimaries:F2} | {r.JoinRankMoves:F2} | {r.JoinTransfers:F2} | {r.LeavePrimaries:F2} | {r.LeaveRankMoves:F2} | {r.LeaveTransfers:F2} ");
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {Milliseconds(r.BuildMilliseconds)} | {r.AllocatedBytes / 1024.0:F0} | {r.RetainedBytes / 1024.0:F0} |");
        }

        return text.ToString();
    }

    // Three significant figures, whether a build takes 0.05 ms or 500.
    private static string Milliseconds(double value) =>
        value >= 100 ? value.ToString("F0", CultureInfo.InvariantCulture)
        : value >= 10 ? value.ToString("F1", CultureInfo.InvariantCulture)
        : value >= 1 ? value.ToString("F2", CultureInfo.InvariantCulture)
        : value.ToString("F3", CultureInfo.InvariantCulture);
}
