using System.Collections.Concurrent;
using System.Reflection;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Silo.Security;

/// <summary>
/// Keeps <see cref="SiloOnlyAttribute"/> methods to the cluster's own silos: every grain call a silo makes
/// carries <see cref="SiloCallProof"/> (never a call to a client, which must not learn it), and a call to a
/// silo-only method without a valid proof is refused before the grain sees it.
/// </summary>
public sealed class SiloOnlyCallFilter(SiloCallProof proof) : IIncomingGrainCallFilter, IOutgoingGrainCallFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> SiloOnly = new();

    /// <inheritdoc />
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.TargetId.IsClient())
        {
            RequestContext.Remove(SiloCallProof.ContextKey);
        }
        else
        {
            RequestContext.Set(SiloCallProof.ContextKey, proof.Current());
        }

        return context.Invoke();
    }

    /// <inheritdoc />
    public Task Invoke(IIncomingGrainCallContext context)
    {
        var method = context.InterfaceMethod;
        if (method is not null && SiloOnly.GetOrAdd(method, static m => m.IsDefined(typeof(SiloOnlyAttribute), inherit: false))
            && !proof.IsValid(RequestContext.Get(SiloCallProof.ContextKey)))
        {
            throw new UnauthorizedAccessException(
                $"{method.DeclaringType?.Name}.{method.Name} is called by the cache's own nodes only: the call carried no proof of CLUSTER_SECRET.");
        }

        return context.Invoke();
    }
}
