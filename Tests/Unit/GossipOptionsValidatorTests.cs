using OrleansCache.Membership;

namespace OrleansCache.Tests.Unit;

public sealed class GossipOptionsValidatorTests
{
    [Fact]
    public void Validate_AcceptsTheDefaults()
    {
        Assert.True(new GossipOptionsValidator().Validate(null, new GossipOptions()).Succeeded);
    }

    [Fact]
    public void Validate_RefusesAFailureTimeUnderFourRounds_NamingBothSettings()
    {
        var result = new GossipOptionsValidator().Validate(null, new GossipOptions { Interval = TimeSpan.FromSeconds(1), FailAfter = TimeSpan.FromSeconds(3) });

        Assert.True(result.Failed);
        Assert.Contains("FailAfter (00:00:03) must be at least 4 rounds of Interval (00:00:01)", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RefusesANonPositiveInterval_AndACallTimeoutPastTheFailureTime()
    {
        var result = new GossipOptionsValidator().Validate(null, new GossipOptions { Interval = TimeSpan.Zero, CallTimeout = TimeSpan.FromSeconds(10) });

        Assert.Contains("GossipOptions.Interval must be positive", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("CallTimeout (00:00:10) must be shorter than FailAfter", result.FailureMessage, StringComparison.Ordinal);
    }
}
