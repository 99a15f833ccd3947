using Microsoft.Extensions.Options;

namespace OrleansCache.Membership;

/// <summary>
/// Checks that <see cref="GossipOptions"/> make a gossip layer that can work: every duration positive, and
/// the ones that depend on each other in order (a node must miss several rounds before it is taken for dead,
/// and a call must time out before that).
/// </summary>
public sealed class GossipOptionsValidator : IValidateOptions<GossipOptions>
{
    // A node is taken for dead only after it missed this many rounds, so one slow round never is.
    private const int MinRoundsBeforeFailure = 4;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GossipOptions options)
    {
        var failures = new List<string>();
        Positive(failures, nameof(options.Interval), options.Interval);
        Positive(failures, nameof(options.FailAfter), options.FailAfter);
        Positive(failures, nameof(options.CallTimeout), options.CallTimeout);
        Positive(failures, nameof(options.MergeAfter), options.MergeAfter);
        Positive(failures, nameof(options.FoundAfterSilence), options.FoundAfterSilence);
        Positive(failures, nameof(options.RejoinTimeout), options.RejoinTimeout);
        Positive(failures, nameof(options.YieldCoordination), options.YieldCoordination);
        Positive(failures, nameof(options.ForgetAfter), options.ForgetAfter);
        if (options.Settle < TimeSpan.Zero)
        {
            failures.Add($"GossipOptions.Settle must not be negative; it is {options.Settle}.");
        }

        if (options.FailAfter < options.Interval * MinRoundsBeforeFailure)
        {
            failures.Add($"GossipOptions.FailAfter ({options.FailAfter}) must be at least {MinRoundsBeforeFailure} rounds of Interval ({options.Interval}).");
        }

        if (options.CallTimeout >= options.FailAfter)
        {
            failures.Add($"GossipOptions.CallTimeout ({options.CallTimeout}) must be shorter than FailAfter ({options.FailAfter}).");
        }

        if (options.ForgetAfter <= options.FailAfter)
        {
            failures.Add($"GossipOptions.ForgetAfter ({options.ForgetAfter}) must be longer than FailAfter ({options.FailAfter}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"GossipOptions.{name} must be positive; it is {value}.");
        }
    }
}
