using System.Globalization;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>
/// What a child process tells the orchestrator every second, as one line on its standard output:
/// <c>status key=value …</c>. Counters are totals since the child started.
/// </summary>
/// <param name="Milliseconds">The child's clock when it wrote the line (since it started).</param>
/// <param name="Started">Nodes started so far.</param>
/// <param name="Ready">Nodes whose silo row is in the table as Active.</param>
/// <param name="Following">Nodes that follow <c>n000</c>'s table (<c>n000</c> itself included once it hosts it).</param>
/// <param name="Alive">Nodes the child's first node counts as alive, itself included.</param>
/// <param name="Rows">Active rows in the child's first node's copy of the table (the table itself on <c>n000</c>).</param>
/// <param name="Hosting">Whether the child's first node hosts the table.</param>
/// <param name="Bytes">Membership body bytes the child's nodes have served.</param>
/// <param name="Calls">Membership calls the child's nodes have served.</param>
/// <param name="Errors">Table calls of the child's nodes that failed.</param>
internal sealed record ChildStatus(
    long Milliseconds, int Started, int Ready, int Following, int Alive, int Rows, bool Hosting, long Bytes, long Calls, long Errors)
{
    private const string Prefix = "status ";

    /// <summary>The status line.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture,
        $"{Prefix}t={Milliseconds} started={Started} ready={Ready} following={Following} alive={Alive} rows={Rows} hosting={(Hosting ? 1 : 0)} bytes={Bytes} calls={Calls} errors={Errors}");

    /// <summary>Reads a status line; <see langword="null"/> for any other line (a child's stray output).</summary>
    public static ChildStatus? Parse(string line)
    {
        if (!line.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var pair in line[Prefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && long.TryParse(pair.AsSpan(equals + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out long value))
            {
                values[pair[..equals]] = value;
            }
        }

        long Get(string key) => values.GetValueOrDefault(key);
        return new ChildStatus(
            Get("t"), (int)Get("started"), (int)Get("ready"), (int)Get("following"), (int)Get("alive"), (int)Get("rows"),
            Get("hosting") == 1, Get("bytes"), Get("calls"), Get("errors"));
    }
}
