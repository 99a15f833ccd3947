using System.Collections.Concurrent;
using System.Reflection;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Security;

/// <summary>
/// Keeps <see cref="SiloOnlyAttribute"/> methods to the cluster's own silos: every call a silo makes to such
/// a method carries <see cref="SiloCallProof"/>, and a call to one without a valid proof is refused before
/// the grain sees it. (No client method is silo-only, so the proof is never sent to a client.)
/// </summary>
public sealed class SiloOnlyCallFilter(SiloCallProof proof) : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> SiloOnly = new();

    /// <inheritdoc />
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        // Only calls to silo-only methods carry the proof: the cache's public calls (every GET and SET)
        // pay a lookup, not a RequestContext entry. Measured with redis-benchmark -P 16 on one node,
        // stamping every call cost 25-30% of its throughput.
        if (IsSiloOnly(context.InterfaceMethod))
        {
            RequestContext.Set(SiloCallProof.ContextKey, proof.Current());
        }

        return context.Invoke();
    }

    /// <inheritdoc />
    public Task Invoke(IIncomingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        if (IsSiloOnly(method) && !proof.IsValid(RequestContext.Get(SiloCallProof.ContextKey)))
        {
            throw new UnauthorizedAccessException(
                $"{method!.DeclaringType?.Name}.{method.Name} is called by the cache's own nodes only: the call carried no proof of CLUSTER_SECRET.");
        }

        return context.Invoke();
    }

    private static bool IsSiloOnly(MethodInfo? method) =>
        method is not null && SiloOnly.GetOrAdd(method, static m => m.IsDefined(typeof(SiloOnlyAttribute), inherit: false));
}
