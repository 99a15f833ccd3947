using System.Globalization;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Client;

/// <summary>
/// The <c>cluster</c> command's output: one row per member, and a warning while the answering node sees
/// live nodes of another cluster (two clusters that met and have not merged yet).
/// </summary>
public static class ClusterReport
{
    /// <summary>Writes <paramref name="view"/> to <paramref name="output"/>.</summary>
    public static void Write(TextWriter output, ClusterView view)
    {
        var rows = new List<string[]> { new[] { "ID", "IP", "STATUS", "PRIMARY", "REPLICA", "GATEWAY" } };
        foreach (var member in view.Members)
        {
            rows.Add([member.Id, member.Ip, member.Status, Number(member.PrimaryBuckets), Number(member.ReplicaBuckets), member.Endpoints.Gateway]);
        }

        TextTable.Write(output, rows);
        if (view.Split is not { Count: > 0 } split)
        {
            return;
        }

        // Two clusters answer for the same keys until the one that yields has merged into the other.
        output.WriteLine();
        output.WriteLine($"WARNING: node {view.Self} sees {split.Count} live node(s) of another cluster; the two are merging (the smaller one's nodes rejoin the larger):");
        foreach (var node in split)
        {
            output.WriteLine($"  node {node.Id} at {node.Ip}, in the cluster of table host {node.Host}{(node.Leaving ? ", leaving it" : string.Empty)}");
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
