using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Tests.Unit;

/// <summary>
/// The stored entry keeps its expiry fields in an object of their own and its update time as ticks (to
/// cost 56 bytes a key instead of 120); what it says and what it is on the wire must not change with that.
/// </summary>
public sealed class CacheEntryTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSerializer(serializer => serializer.AddAssembly(typeof(CacheEntry).Assembly).AddAssembly(typeof(CacheEntryTests).Assembly))
        .BuildServiceProvider();

    public static TheoryData<string> Shapes => ["plain", "expiring", "sliding", "sliding with a limit", "written by an old version"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Entry_IsTheSevenFieldsOfThePreviousLayout_OnTheWire(string shape)
    {
        var (entry, previous) = Sample(shape);
        var serializer = Services.GetRequiredService<Serializer>();

        byte[] written = serializer.SerializeToArray(entry);

        Assert.Equal(serializer.SerializeToArray(previous), written);
        var read = serializer.Deserialize<PreviousCacheEntryLayout>(written)!;
        Assert.Equal(previous with { Value = read.Value }, read);
        Assert.Equal(previous.Value, read.Value);
        var back = serializer.Deserialize<CacheEntry>(serializer.SerializeToArray(previous))!;
        Assert.Equal(entry with { Value = back.Value }, back);
        Assert.Equal(entry.Value, back.Value);
    }

    [Fact]
    public void Entry_IsNotCopied_WhenPassedBetweenGrainsOfOneSilo()
    {
        var (entry, _) = Sample("expiring");

        Assert.Same(entry, Services.GetRequiredService<DeepCopier<CacheEntry>>().Copy(entry));
    }

    [Fact]
    public void ExpiryFields_ChangeOneAtATime_AndClearTogether()
    {
        var entry = new CacheEntry([1], ValueFormat.Raw, 7) { ExpiresAt = Noon, SlidingExpiration = TimeSpan.FromMinutes(5) };

        var moved = entry with { ExpiresAt = Noon.AddMinutes(5) };
        var limited = moved with { AbsoluteExpiration = Noon.AddHours(1) };
        var persisted = limited with { ExpiresAt = null, SlidingExpiration = null, AbsoluteExpiration = null };

        Assert.Equal((Noon.AddMinutes(5), TimeSpan.FromMinutes(5), (DateTimeOffset?)null), (moved.ExpiresAt, moved.SlidingExpiration, moved.AbsoluteExpiration));
        Assert.Equal(Noon.AddHours(1), limited.AbsoluteExpiration);
        Assert.Equal(Noon, entry.ExpiresAt);
        Assert.Equal(new CacheEntry([1], ValueFormat.Raw, 7) with { Value = persisted.Value }, persisted);
        Assert.False(persisted.IsExpiredAt(DateTimeOffset.MaxValue));
        Assert.True(moved.IsExpiredAt(Noon.AddMinutes(5)));
    }

    [Fact]
    public void UpdatedAt_IsTheSameInstant_GivenWithAnyOffset()
    {
        var local = new DateTimeOffset(2026, 12, 2, 13, 0, 0, TimeSpan.FromHours(1));

        var entry = new CacheEntry([1], ValueFormat.Raw, 1) { UpdatedAt = local };

        Assert.Equal(local, entry.UpdatedAt);
        Assert.Equal(DateTimeOffset.MinValue, new CacheEntry([1], ValueFormat.Raw, 1).UpdatedAt);
    }

    private static (CacheEntry Entry, PreviousCacheEntryLayout Previous) Sample(string shape)
    {
        byte[] value = [0x68, 0x69, 0x00, 0xFF];
        var updated = shape == "written by an old version" ? DateTimeOffset.MinValue : Noon;
        DateTimeOffset? expiresAt = shape == "plain" || shape == "written by an old version" ? null : Noon.AddMinutes(10);
        TimeSpan? sliding = shape.StartsWith("sliding", StringComparison.Ordinal) ? TimeSpan.FromMinutes(10) : null;
        DateTimeOffset? absolute = shape == "sliding with a limit" ? Noon.AddHours(2) : null;
        var entry = new CacheEntry(value, ValueFormat.Json, 42)
        {
            ExpiresAt = expiresAt,
            SlidingExpiration = sliding,
            AbsoluteExpiration = absolute,
            UpdatedAt = updated,
        };
        return (entry, new PreviousCacheEntryLayout(value, ValueFormat.Json, 42)
        {
            ExpiresAt = expiresAt,
            SlidingExpiration = sliding,
            AbsoluteExpiration = absolute,
            UpdatedAt = updated,
        });
    }
}
