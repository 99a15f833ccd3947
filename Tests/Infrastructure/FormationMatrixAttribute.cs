using System.Reflection;
using Xunit.Sdk;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// The full formation matrix as theory data: every <see cref="LinkGraph.Shapes">shape</see> × 3, 5 and
/// 10 nodes × started 0, 1 and 3 s apart, plus the same at 0 and 1 s apart with every core busy
/// (arguments: shape, nodes, interval in seconds, busy cores). Its 75 cases take an hour or more, so it
/// runs only when <c>ORLEANS_CACHE_FORMATION_MATRIX=1</c>; otherwise each case is reported Skipped with
/// the reason.
/// </summary>
/// <remarks>
/// The skip is set on the data attribute rather than on <c>[Theory]</c>: xunit 2 reports a theory whose
/// own <c>Skip</c> is set as one skipped test, while a data attribute's <c>Skip</c> skips each of its rows.
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FormationMatrixAttribute : DataAttribute
{
    /// <summary>The environment variable that turns the matrix on.</summary>
    public const string Variable = "ORLEANS_CACHE_FORMATION_MATRIX";

    private static readonly int[] Sizes = [3, 5, 10];
    private static readonly int[] IntervalSeconds = [0, 1, 3];
    private static readonly int[] BusyIntervalSeconds = [0, 1];

    /// <summary>Skips every case unless <c>ORLEANS_CACHE_FORMATION_MATRIX=1</c>.</summary>
    public FormationMatrixAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"The full formation matrix runs only when {Variable}=1 (an hour or more); the CI slice "
                + "(FormationTests.LinkedNodes_FormOneCluster_WhenStartedTheWaysUsersStartThem) runs by default.";
        }
    }

    /// <inheritdoc />
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        foreach (var shape in LinkGraph.Shapes)
        {
            foreach (int n in Sizes)
            {
                foreach (int interval in IntervalSeconds)
                {
                    yield return [shape, n, interval, false];
                }

                foreach (int interval in BusyIntervalSeconds)
                {
                    yield return [shape, n, interval, true];
                }
            }
        }
    }
}
