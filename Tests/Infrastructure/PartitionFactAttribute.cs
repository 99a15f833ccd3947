namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// A fact that needs a <see cref="Partition"/>: reported Skipped, with the reason, where one cannot be
/// made (not root, no iptables or setpriv), except when <c>CI=true</c>, where it runs and fails instead,
/// so CI cannot pass without it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PartitionFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> from what this machine lacks.</summary>
    public PartitionFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CI") != "true" && Partition.MissingPrerequisite() is { } reason)
        {
            Skip = $"A network partition cannot be made here: {reason}. Set CI=true to fail instead of skipping.";
        }
    }
}
