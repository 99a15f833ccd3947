using OrleansCache.Silo.Security;

namespace OrleansCache.Tests.Unit;

public sealed class OncePerIntervalTests
{
    [Fact]
    public void TryEnter_LetsTheFirstThrough_ThenRefusesWithinTheInterval_SayingHowLongToWait()
    {
        var gate = new OncePerInterval(TimeSpan.FromMinutes(10));

        Assert.True(gate.TryEnter(out var none));
        Assert.False(gate.TryEnter(out var wait));

        Assert.Equal(TimeSpan.Zero, none);
        Assert.InRange(wait, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public void TryEnter_LetsExactlyOneOfRacingCallersThrough()
    {
        var gate = new OncePerInterval(TimeSpan.FromMinutes(10));
        int entered = 0;

        Parallel.For(0, 64, caller =>
        {
            if (gate.TryEnter(out _))
            {
                Interlocked.Increment(ref entered);
            }
        });

        Assert.Equal(1, entered);
    }
}
