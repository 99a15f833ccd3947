namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// How N nodes with <c>NODE_ID</c> "0" … "N-1" are linked (each node's <c>LINKED_NODE_ID</c>, or none)
/// and in which order they are started: the ways users configure a cluster. Pure data.
/// </summary>
/// <remarks>
/// The constructor refuses links that, taken as undirected, leave a node unreachable from the others:
/// no membership could form one cluster from them, so a test with such a graph would prove nothing.
/// </remarks>
public sealed class LinkGraph
{
    /// <summary>The shape names <see cref="Create"/> knows, for test data.</summary>
    public static readonly IReadOnlyList<string> Shapes = ["ring", "reverse-ring", "star", "chain", "scattered"];

    /// <summary>Creates a graph, checking that <paramref name="links"/> connect every node.</summary>
    /// <param name="shape">A name for messages.</param>
    /// <param name="links">For node i, the node it links to, or <see langword="null"/> for none.</param>
    /// <param name="startOrder">Every node exactly once, in the order they are started.</param>
    public LinkGraph(string shape, IReadOnlyList<int?> links, IReadOnlyList<int> startOrder)
    {
        int n = links.Count;
        if (n < 2)
        {
            throw new ArgumentException($"A {shape} needs at least 2 nodes, not {n}.", nameof(links));
        }

        for (int i = 0; i < n; i++)
        {
            if (links[i] is { } to && (to < 0 || to >= n || to == i))
            {
                throw new ArgumentException($"{shape}: node {i} links to {to}, not another node of 0..{n - 1}.", nameof(links));
            }
        }

        if (startOrder.Count != n || startOrder.Distinct().Count() != n || startOrder.Any(i => i < 0 || i >= n))
        {
            throw new ArgumentException($"{shape}: the start order [{string.Join(", ", startOrder)}] is not each of 0..{n - 1} once.", nameof(startOrder));
        }

        if (Unreachable(links) is { Count: > 0 } unreachable)
        {
            throw new ArgumentException(
                $"{shape} of {n} is not connected: [{string.Join(", ", unreachable)}] cannot be reached from node 0 (links {Describe(links)}).",
                nameof(links));
        }

        Shape = shape;
        Links = links;
        StartOrder = startOrder;
    }

    /// <summary>The shape's name.</summary>
    public string Shape { get; }

    /// <summary>The number of nodes.</summary>
    public int Count => Links.Count;

    /// <summary>For node i, the node it links to, or <see langword="null"/> when it has no link.</summary>
    public IReadOnlyList<int?> Links { get; }

    /// <summary>Every node once, in the order they are started.</summary>
    public IReadOnlyList<int> StartOrder { get; }

    /// <summary>The graph named <paramref name="shape"/> (one of <see cref="Shapes"/>) of <paramref name="n"/> nodes.</summary>
    public static LinkGraph Create(string shape, int n) => shape switch
    {
        "ring" => Ring(n),
        "reverse-ring" => ReverseRing(n),
        "star" => Star(n),
        "chain" => Chain(n),
        "scattered" => Scattered(n),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, $"Known shapes: {string.Join(", ", Shapes)}."),
    };

    /// <summary>Node i links to i+1 (the last to node 0), started 0 first: how the original cache was started.</summary>
    public static LinkGraph Ring(int n) => new("ring", RingLinks(n), Ascending(n));

    /// <summary>The ring's links, started from the last node down to node 0.</summary>
    public static LinkGraph ReverseRing(int n) => new("reverse-ring", RingLinks(n), Enumerable.Range(0, n).Reverse().ToList());

    /// <summary>Every node links to node 0, and node 0 to node 1, so every node has a link; started 0 first.</summary>
    public static LinkGraph Star(int n) => new("star", Enumerable.Range(0, n).Select(i => (int?)(i == 0 ? 1 : 0)).ToList(), Ascending(n));

    /// <summary>Node i links to i+1; the last node has no link; started 0 first, so the unlinked node starts last.</summary>
    public static LinkGraph Chain(int n) => new("chain", Enumerable.Range(0, n).Select(i => i == n - 1 ? null : (int?)(i + 1)).ToList(), Ascending(n));

    /// <summary>
    /// Node i links to (3i+1) mod N, or to i+1 mod N where that would be i itself; started 0 first.
    /// </summary>
    /// <remarks>
    /// When 3 does not divide N, i → 3i+1 mod N is a permutation, and it falls apart into cycles for
    /// some N (8: {0,1,4,5} and {2,3,6,7}; 10: three pieces). Then, until node 0 reaches every node, the
    /// lowest node it does not reach links instead to the node just below it, which it does reach; in a
    /// permutation that node sits on its piece's cycle, so its whole piece joins. 8 becomes
    /// 0→1 1→4 2→1 3→2 4→5 5→0 6→3 7→6.
    /// </remarks>
    public static LinkGraph Scattered(int n)
    {
        var links = Enumerable.Range(0, n).Select(i => (int?)((3 * i + 1) % n == i ? (i + 1) % n : (3 * i + 1) % n)).ToArray();
        for (int pieces = n; pieces > 0 && Unreachable(links) is { Count: > 0 } unreachable; pieces--)
        {
            int lowest = unreachable.Min();
            links[lowest] = lowest - 1;
        }

        return new LinkGraph("scattered", links, Ascending(n));
    }

    /// <summary>The links as <c>0→1 1→2 …</c>, <c>-</c> for a node without a link.</summary>
    public static string Describe(IReadOnlyList<int?> links) =>
        string.Join(' ', links.Select((to, i) => $"{i}→{(to is { } t ? t.ToString() : "-")}"));

    /// <inheritdoc />
    public override string ToString() => $"{Shape} of {Count} (links {Describe(Links)}; started {string.Join(", ", StartOrder)})";

    private static List<int?> RingLinks(int n) => Enumerable.Range(0, n).Select(i => (int?)((i + 1) % n)).ToList();

    private static List<int> Ascending(int n) => Enumerable.Range(0, n).ToList();

    // The nodes that links taken both ways do not reach from node 0, ascending.
    private static List<int> Unreachable(IReadOnlyList<int?> links)
    {
        int n = links.Count;
        var neighbours = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int i = 0; i < n; i++)
        {
            if (links[i] is { } to && to >= 0 && to < n)
            {
                neighbours[i].Add(to);
                neighbours[to].Add(i);
            }
        }

        var reached = new bool[n];
        var pending = new Stack<int>([0]);
        reached[0] = true;
        while (pending.TryPop(out int node))
        {
            foreach (int next in neighbours[node].Where(next => !reached[next]))
            {
                reached[next] = true;
                pending.Push(next);
            }
        }

        return Enumerable.Range(0, n).Where(i => !reached[i]).ToList();
    }
}
