using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>Something outside the repository that some tests need.</summary>
public enum Prerequisite
{
    /// <summary>A PostgreSQL server (see <see cref="TestPostgres"/>).</summary>
    Postgres,

    /// <summary>Debian's <c>redis-cli</c> (see <see cref="RedisCli"/>).</summary>
    RedisCli,

    /// <summary>Debian's Chromium, run headless (see <see cref="HeadlessChromium"/>).</summary>
    Chromium,

    /// <summary>Debian's <c>redis-server</c> (see <see cref="RedisServer"/>).</summary>
    RedisServer,
}

/// <summary>
/// Marks a test class or method as needing <paramref name="what"/>. Tests marked so and declared with
/// <see cref="CheckedFactAttribute"/> or <see cref="CheckedTheoryAttribute"/> are reported Skipped, with
/// the reason, where it cannot be had, except under <c>CI=true</c>, where they run and fail instead, so CI
/// cannot pass without them.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true)]
public sealed class NeedsAttribute(Prerequisite what) : Attribute
{
    /// <summary>What is needed.</summary>
    public Prerequisite What { get; } = what;
}

/// <summary>A fact that honours <see cref="NeedsAttribute"/> on its method and class.</summary>
[XunitTestCaseDiscoverer("OrleansCache.Tests.Infrastructure.CheckedFactDiscoverer", "OrleansCache.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CheckedFactAttribute : FactAttribute;

/// <summary>A theory that honours <see cref="NeedsAttribute"/> on its method and class.</summary>
[XunitTestCaseDiscoverer("OrleansCache.Tests.Infrastructure.CheckedTheoryDiscoverer", "OrleansCache.Tests")]
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class CheckedTheoryAttribute : TheoryAttribute;

/// <summary>Discovers <see cref="CheckedFactAttribute"/> tests.</summary>
public sealed class CheckedFactDiscoverer(IMessageSink diagnosticMessageSink) : FactDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute) =>
        Prerequisites.SkipReason(testMethod) is { } reason
            ? [Prerequisites.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, factAttribute);
}

/// <summary>Discovers <see cref="CheckedTheoryAttribute"/> tests.</summary>
public sealed class CheckedTheoryDiscoverer(IMessageSink diagnosticMessageSink) : TheoryDiscoverer(diagnosticMessageSink)
{
    /// <inheritdoc />
    public override IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo theoryAttribute) =>
        Prerequisites.SkipReason(testMethod) is { } reason
            ? [Prerequisites.Skipped(DiagnosticMessageSink, discoveryOptions, testMethod, reason)]
            : base.Discover(discoveryOptions, testMethod, theoryAttribute);
}

/// <summary>Whether what tests need can be had here.</summary>
public static class Prerequisites
{
    /// <summary>Why <paramref name="what"/> cannot be had here, or <see langword="null"/> when it can.</summary>
    public static string? Missing(Prerequisite what) => what switch
    {
        Prerequisite.Postgres => TestPostgres.MissingPrerequisite(),
        Prerequisite.RedisCli => RedisCli.MissingPrerequisite(),
        Prerequisite.Chromium => HeadlessChromium.MissingPrerequisite(),
        Prerequisite.RedisServer => RedisServer.MissingPrerequisite(),
        _ => throw new UnreachableException(),
    };

    /// <summary>Why the test must be skipped, or <see langword="null"/> to run it (always under <c>CI=true</c>).</summary>
    internal static string? SkipReason(ITestMethod testMethod)
    {
        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            return null;
        }

        var needs = testMethod.Method.GetCustomAttributes(typeof(NeedsAttribute))
            .Concat(testMethod.TestClass.Class.GetCustomAttributes(typeof(NeedsAttribute)))
            .Select(a => a.GetConstructorArguments().Cast<Prerequisite>().Single())
            .Distinct();
        var missing = needs.Select(n => (Need: n, Reason: Missing(n))).Where(m => m.Reason is not null).ToList();
        return missing.Count == 0
            ? null
            : $"Needs {string.Join(" and ", missing.Select(m => $"{m.Need}: {m.Reason}"))}. Set CI=true to fail instead of skipping.";
    }

    internal static IXunitTestCase Skipped(IMessageSink sink, ITestFrameworkDiscoveryOptions options, ITestMethod testMethod, string reason) =>
        new XunitSkippedDataRowTestCase(sink, options.MethodDisplayOrDefault(), options.MethodDisplayOptionsOrDefault(), testMethod, reason);
}
