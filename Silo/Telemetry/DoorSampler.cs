using System.Diagnostics;
using OpenTelemetry.Trace;

namespace OrleansCache.Silo.Telemetry;

/// <summary>
/// Records the traces that begin at one of the node's own doors (an HTTP request or a Redis protocol
/// command); every other span follows its parent. So a grain call is recorded when the request that made
/// it is (an Orleans client that traces sends its context along, and its calls are recorded too), and
/// Orleans' own traffic (probes, directory, timers, rebalancing, the dashboard), several spans a second on
/// an idle node, starts no trace.
/// </summary>
/// <remarks>
/// A sampler sees a span's name and kind, not its source. The doors' spans are named <c>GET /cache/{**key}</c>
/// (ASP.NET Core) or after the command (<c>set</c>); Orleans names a grain call's span
/// <c>&lt;interface&gt;/&lt;method&gt;</c>.
/// </remarks>
public sealed class DoorSampler : Sampler
{
    /// <summary>Records each door's trace; <see cref="ParentBasedSampler"/> around it makes children follow their parent.</summary>
    public static Sampler Create() => new ParentBasedSampler(new DoorSampler());

    /// <inheritdoc />
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        new(samplingParameters.Kind == ActivityKind.Server && !IsGrainCall(samplingParameters.Name)
            ? SamplingDecision.RecordAndSample
            : SamplingDecision.Drop);

    private static bool IsGrainCall(string name) =>
        name.Length > 2 && name[0] == 'I' && char.IsUpper(name[1]) && name.Contains('/', StringComparison.Ordinal) && !name.Contains(' ', StringComparison.Ordinal);
}
