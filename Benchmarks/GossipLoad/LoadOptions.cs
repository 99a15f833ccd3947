using System.Globalization;

namespace OrleansCache.Benchmarks.GossipLoad;

/// <summary>The orchestrator's command line.</summary>
internal sealed record LoadOptions
{
    /// <summary>How to call it.</summary>
    public const string Usage =
        "usage: GossipLoad [--sizes 10,25,50] [--window SECONDS (30)] [--settle SECONDS (10)] [--per-process NODES (50)]\n" +
        "                  [--deadline SECONDS (120 + 2 per node)] [--first-ip 127.0.4.1] [--logs DIR (artifacts/bench/gossip-load)]\n" +
        "                  [--label BUILD (current)] [--results FILE (appends a line per size)]\n" +
        "       GossipLoad compare RESULTS_FILE   (the table of two builds' results, labelled baseline and another)";

    /// <summary>The cluster sizes, in order.</summary>
    public IReadOnlyList<int> Sizes { get; init; } = [10, 25, 50];

    /// <summary>How long CPU and bytes are measured, per size.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a formed cluster runs before the window opens: the last joins' table copies and rounds pass.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The most nodes one child hosts (other than n000 and n001, alone in theirs).</summary>
    public int PerProcess { get; init; } = 50;

    /// <summary>How long a size may take to form; <see langword="null"/> for 120 s plus 2 s per node.</summary>
    public TimeSpan? Deadline { get; init; }

    /// <summary>The addresses.</summary>
    public AddressPlan Plan { get; init; } = new(AddressPlan.DefaultFirstIp);

    /// <summary>Where the children's logs go.</summary>
    public string Logs { get; init; } = Path.Combine("artifacts", "bench", "gossip-load");

    /// <summary>Which build this is, in the results.</summary>
    public string Label { get; init; } = "current";

    /// <summary>A file to append each size's result to, or <see langword="null"/>.</summary>
    public string? Results { get; init; }

    /// <summary>The formation deadline for <paramref name="nodes"/> nodes.</summary>
    public TimeSpan DeadlineFor(int nodes) => Deadline ?? TimeSpan.FromSeconds(120 + (2 * nodes));

    /// <summary>Reads the command line; on a mistake returns <see langword="null"/> and says why in <paramref name="error"/>.</summary>
    public static LoadOptions? Parse(IReadOnlyList<string> args, out string error)
    {
        var options = new LoadOptions();
        error = string.Empty;
        for (int i = 0; i < args.Count; i++)
        {
            string? value = i + 1 < args.Count ? args[i + 1] : null;
            LoadOptions? next = (args[i], value) switch
            {
                ("--sizes", { } v) when SizeList(v) is { } sizes => options with { Sizes = sizes },
                ("--window", { } v) when Seconds(v) is { } window => options with { Window = window },
                ("--settle", { } v) when Seconds(v) is { } settle => options with { Settle = settle },
                ("--per-process", { } v) when Positive(v) is { } perProcess => options with { PerProcess = perProcess },
                ("--deadline", { } v) when Seconds(v) is { } deadline => options with { Deadline = deadline },
                ("--first-ip", { } v) => options with { Plan = new AddressPlan(v) },
                ("--logs", { } v) => options with { Logs = v },
                ("--label", { } v) when v.Length > 0 && !v.Any(char.IsWhiteSpace) => options with { Label = v },
                ("--results", { } v) => options with { Results = v },
                _ => null,
            };
            if (next is null)
            {
                error = value is null || !args[i].StartsWith("--", StringComparison.Ordinal)
                    ? $"unknown argument '{args[i]}'"
                    : $"{args[i]} does not take '{value}'";
                return null;
            }

            options = next;
            i++;
        }

        var tooMany = options.Sizes.FirstOrDefault(n => !options.Plan.Fits(n));
        if (tooMany != 0)
        {
            error = $"--first-ip {options.Plan.FirstIp} must be a 127.x.y.z address with room for {tooMany} nodes";
            return null;
        }

        return options;
    }

    // Sizes of at least 2: the host and a typical follower.
    private static int[]? SizeList(string text)
    {
        var sizes = text.Split(',').Select(Positive).ToArray();
        return sizes.Length > 0 && sizes.All(n => n >= 2) ? sizes.Select(n => n!.Value).ToArray() : null;
    }

    private static TimeSpan? Seconds(string text) => Positive(text) is { } seconds ? TimeSpan.FromSeconds(seconds) : null;

    private static int? Positive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : null;
}
