using System.Globalization;
using System.Text;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>The results as a Markdown table, a row per size (and build, when two builds are compared).</summary>
internal static class ResultTable
{
    private const string Columns =
        "| formation s | host n000 CPU % | follower n001 CPU % | other followers CPU %/node | host n000 KiB/s | n001 KiB/s | load avg |";

    /// <summary>The header of a one-build table.</summary>
    public static string Header() =>
        $"| n {Columns}{Environment.NewLine}|---:|---:|---:|---:|---:|---:|---:|---:|";

    /// <summary>One row of a one-build table.</summary>
    public static string Row(SizeResult r) => $"| {r.Nodes} {Cells(r)}";

    /// <summary>
    /// The table of two builds run alternately, each size's baseline row first, with the ratio current/baseline of
    /// the host's CPU and of its bytes on each current row; then every note.
    /// </summary>
    public static string Comparison(IReadOnlyList<SizeResult> results, string baseline = "baseline")
    {
        var text = new StringBuilder();
        text.AppendLine($"| n | build {Columns} host CPU cur/base | host KiB/s cur/base |");
        text.AppendLine("|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results.OrderBy(r => r.Nodes).ThenBy(r => r.Build == baseline ? 0 : 1))
        {
            var before = r.Build == baseline ? null : results.LastOrDefault(b => b.Nodes == r.Nodes && b.Build == baseline);
            text.AppendLine($"| {r.Nodes} | {r.Build} {Cells(r)} {Ratio(r.HostCpu, before?.HostCpu)} | {Ratio(r.HostKiBPerSecond, before?.HostKiBPerSecond)} |");
        }

        text.Append(Notes(results));
        return text.ToString();
    }

    /// <summary>The notes of <paramref name="results"/>, a line each, after an empty line; empty when there are none.</summary>
    public static string Notes(IEnumerable<SizeResult> results)
    {
        var text = new StringBuilder();
        foreach (var r in results)
        {
            if (r.Notes.Length > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- n={r.Nodes}, {r.Build}: {r.Notes}");
            }
        }

        return text.Length > 0 ? Environment.NewLine + text : string.Empty;
    }

    private static string Cells(SizeResult r) => string.Create(CultureInfo.InvariantCulture,
        $"| {r.FormationSeconds:F1} | {r.HostCpu:F1} | {r.TypicalCpu:F1} | {(double.IsNaN(r.OtherCpu) ? "–" : r.OtherCpu.ToString("F1", CultureInfo.InvariantCulture))} | {r.HostKiBPerSecond:F1} | {r.TypicalKiBPerSecond:F1} | {r.LoadAverage:F2} |");

    private static string Ratio(double current, double? baseline) =>
        baseline is > 0 ? (current / baseline.Value).ToString("F2", CultureInfo.InvariantCulture) : "–";
}
