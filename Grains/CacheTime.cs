namespace OrleansCache.Grains;

/// <summary>
/// The clock the cache's own code reads: expiry, the sweep. A keyed <see cref="TimeProvider"/> rather
/// than the silo's, because Orleans 10 resolves the unkeyed one for its own timers and membership
/// probes: a test that froze that clock to control expiry would freeze the silo too.
/// </summary>
public static class CacheTime
{
    /// <summary>The service key of the cache's <see cref="TimeProvider"/>; it defaults to the silo's
    /// unkeyed one (<see cref="TimeProvider.System"/>). Tests register a <c>FakeTimeProvider</c> under it.</summary>
    public const string ServiceKey = "OrleansCache.Time";
}
