using Microsoft.Extensions.Time.Testing;
using OrleansCache.Silo.Security;

namespace OrleansCache.Tests.Unit;

public sealed class SiloCallProofTests
{
    private const string Secret = "the-secret-of-this-cluster";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-02T12:00:00Z"));

    [Fact]
    public void Proof_IsValid_OnEverySiloOfTheCluster_WithinTheWindow()
    {
        var proof = new SiloCallProof(Secret, _time).Current();
        var other = new SiloCallProof(Secret, _time);

        Assert.True(other.IsValid(proof));
        _time.Advance(SiloCallProof.Window);
        Assert.True(other.IsValid(proof));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(other.IsValid(proof));
        Assert.False(new SiloCallProof(Secret, _time).IsValid(proof));
    }

    [Fact]
    public void Proof_IsRefused_WhenMadeWithAnotherSecret_OrForged()
    {
        var silo = new SiloCallProof(Secret, _time);
        var proof = silo.Current();
        long second = _time.GetUtcNow().ToUnixTimeSeconds();

        Assert.False(silo.IsValid(new SiloCallProof("another-secret-of-a-cluster", _time).Current()));
        Assert.False(silo.IsValid(null));
        Assert.False(silo.IsValid(42));
        Assert.False(silo.IsValid(""));
        Assert.False(silo.IsValid($"{second}.AAAA"));
        Assert.False(silo.IsValid($"{second + 1}{proof[proof.IndexOf('.')..]}"));
        Assert.True(silo.IsValid(proof));
    }

    [Fact]
    public void Current_ChangesEachSecond()
    {
        var silo = new SiloCallProof(Secret, _time);
        var first = silo.Current();

        Assert.Equal(first, silo.Current());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEqual(first, silo.Current());
    }
}
