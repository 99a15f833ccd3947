using System.Globalization;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// What one cluster size cost, as measured over the window. CPU is in % of one core; bytes are membership body
/// bytes served (request plus response), in KiB/s.
/// </summary>
/// <param name="Build">Which build ran it (<c>--label</c>): "current", "baseline", …</param>
/// <param name="Nodes">The cluster size n.</param>
/// <param name="FormationSeconds">From starting the n-1 followers (n000 already hosting) to every node in the table and following n000.</param>
/// <param name="HostCpu">n000's process.</param>
/// <param name="TypicalCpu">n001's process, a follower alone in a process as n000 is.</param>
/// <param name="OtherCpu">The other followers' processes, per node (NaN when n &lt; 3).</param>
/// <param name="HostKiBPerSecond">What n000 served.</param>
/// <param name="TypicalKiBPerSecond">What n001 served.</param>
/// <param name="LoadAverage">The machine's one-minute load average at the window's end.</param>
/// <param name="Notes">Anything odd seen, or empty.</param>
internal sealed record SizeResult(
    string Build,
    int Nodes,
    double FormationSeconds,
    double HostCpu,
    double TypicalCpu,
    double OtherCpu,
    double HostKiBPerSecond,
    double TypicalKiBPerSecond,
    double LoadAverage,
    string Notes)
{
    /// <summary>One line of a results file (tab-separated, as <see cref="ReadAll"/> reads it).</summary>
    public string ToLine() => string.Join('\t',
        Build, Text(Nodes), Text(FormationSeconds), Text(HostCpu), Text(TypicalCpu), Text(OtherCpu),
        Text(HostKiBPerSecond), Text(TypicalKiBPerSecond), Text(LoadAverage), Notes.ReplaceLineEndings(" ").Replace('\t', ' '));

    /// <summary>Reads every result in a results file, in order.</summary>
    public static IReadOnlyList<SizeResult> ReadAll(string path)
    {
        var results = new List<SizeResult>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Split('\t') is [var build, var n, var formation, var host, var typical, var other, var hostKiB, var typicalKiB, var load, var notes])
            {
                results.Add(new SizeResult(build, int.Parse(n, CultureInfo.InvariantCulture), Number(formation), Number(host), Number(typical),
                    Number(other), Number(hostKiB), Number(typicalKiB), Number(load), notes));
            }
        }

        return results;
    }

    private static string Text(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
