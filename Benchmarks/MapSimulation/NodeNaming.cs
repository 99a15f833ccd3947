namespace OrleansCache.Benchmarks.MapSimulation;

/// <summary>
/// A way operators name nodes. The map hashes names, so its spread depends on them: each cell of the
/// simulation is run under every scheme and the worst result is reported.
/// </summary>
/// <param name="Label">Short name for the table and the progress lines.</param>
/// <param name="Name">The name of node <c>i</c> (0-based).</param>
internal sealed record NodeNaming(string Label, Func<int, string> Name)
{
    // Enough for the largest cluster simulated plus the node that joins it.
    private const int GuidNames = 256;

    // Fixed seed: the same names on every run, so two runs give the same table.
    private static readonly string[] Guids = CreateGuids(GuidNames, seed: 14);

    /// <summary>The schemes simulated: <c>NODE_ID</c>'s default style ("0", "1", ...), a host-name style
    /// ("cache-node-7", as a StatefulSet names pods) and random GUIDs (as some orchestrators assign).</summary>
    public static IReadOnlyList<NodeNaming> All { get; } =
    [
        new("0..n-1", i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("cache-node-i", i => $"cache-node-{i}"),
        new("guid", i => Guids[i]),
    ];

    /// <summary>The names of nodes 0 to <paramref name="count"/> - 1.</summary>
    public string[] Names(int count)
    {
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            names[i] = Name(i);
        }

        return names;
    }

    private static string[] CreateGuids(int count, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[16];
        var guids = new string[count];
        for (int i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            guids[i] = new Guid(bytes).ToString("D");
        }

        return guids;
    }
}
