using System.Globalization;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Client;

/// <summary>
/// The <c>cluster</c> command's output: one row per member, and a warning while the answering node sees
/// live nodes of another cluster (two clusters that met and have not merged yet).
/// </summary>
public static class ClusterReport
{
    /// <summary>Writes <paramref name="view"/> to <paramref name="output"/> as a table, and the warning after it.</summary>
    public static void Write(TextWriter output, ClusterView view)
    {
        var rows = new List<string[]> { new[] { "ID", "IP", "STATUS", "PRIMARY", "REPLICA", "GATEWAY" } };
        foreach (var member in view.Members)
        {
            rows.Add([member.Id, member.Ip, member.Status, Number(member.PrimaryBuckets), Number(member.ReplicaBuckets), member.Endpoints.Gateway]);
        }

        TextTable.Write(output, rows);
        if (view.Split is { Count: > 0 } split)
        {
            output.WriteLine();
            WriteWarning(output, view.Self, split);
        }
    }

    /// <summary>
    /// Writes the table's members to <paramref name="output"/> as a JSON array of objects with the table's
    /// columns, named as <c>GET /cluster</c> names them (<c>id</c>, <c>ip</c>, <c>status</c>,
    /// <c>primaryBuckets</c>, <c>replicaBuckets</c>, <c>gateway</c>); the warning goes to <paramref name="error"/>,
    /// so that stdout stays one JSON document.
    /// </summary>
    public static void WriteJson(TextWriter output, TextWriter error, ClusterView view)
    {
        JsonOutput.Write(output, json =>
        {
            json.WriteStartArray();
            foreach (var member in view.Members)
            {
                json.WriteStartObject();
                json.WriteString("id", member.Id);
                json.WriteString("ip", member.Ip);
                json.WriteString("status", member.Status);
                json.WriteNumber("primaryBuckets", member.PrimaryBuckets);
                json.WriteNumber("replicaBuckets", member.ReplicaBuckets);
                json.WriteString("gateway", member.Endpoints.Gateway);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        });
        if (view.Split is { Count: > 0 } split)
        {
            WriteWarning(error, view.Self, split);
        }
    }

    // Two clusters answer for the same keys until the one that yields has merged into the other.
    private static void WriteWarning(TextWriter output, string self, IReadOnlyList<OutsideNode> split)
    {
        output.WriteLine($"WARNING: node {self} sees {split.Count} live node(s) of another cluster; the two are merging (the smaller one's nodes rejoin the larger):");
        foreach (var node in split)
        {
            output.WriteLine($"  node {node.Id} at {node.Ip}, in the cluster of table host {node.Host}{(node.Leaving ? ", leaving it" : string.Empty)}");
        }
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
