using System.Diagnostics;
using OpenTelemetry.Trace;
using OrleansCache.Silo.Telemetry;

namespace OrleansCache.Tests.Unit;

public sealed class DoorSamplerTests
{
    private static readonly Sampler Sampler = DoorSampler.Create();

    [Theory]
    [InlineData("GET /cache/{**key}", ActivityKind.Server, true)]
    [InlineData("POST /set", ActivityKind.Server, true)]
    [InlineData("set", ActivityKind.Server, true)]
    [InlineData("IBucketGrain/GetAsync", ActivityKind.Server, false)]
    [InlineData("IMembershipService/Ping", ActivityKind.Server, false)]
    [InlineData("IMembershipService/Ping", ActivityKind.Client, false)]
    [InlineData("GET /cache/{**key}", ActivityKind.Client, false)]
    public void ARootSpan_IsRecorded_OnlyWhenARequestArrivesAtADoor(string name, ActivityKind kind, bool recorded)
    {
        var decision = Sampler.ShouldSample(new SamplingParameters(default, ActivityTraceId.CreateRandom(), name, kind)).Decision;

        Assert.Equal(recorded ? SamplingDecision.RecordAndSample : SamplingDecision.Drop, decision);
    }

    [Theory]
    [InlineData(ActivityTraceFlags.Recorded, SamplingDecision.RecordAndSample)]
    [InlineData(ActivityTraceFlags.None, SamplingDecision.Drop)]
    public void AGrainCallInsideATrace_FollowsItsParent(ActivityTraceFlags parentFlags, SamplingDecision expected)
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parent = new ActivityContext(traceId, ActivitySpanId.CreateRandom(), parentFlags, isRemote: true);

        var decision = Sampler.ShouldSample(new SamplingParameters(parent, traceId, "IReplicaGrain/ApplyAsync", ActivityKind.Server)).Decision;

        Assert.Equal(expected, decision);
    }
}
