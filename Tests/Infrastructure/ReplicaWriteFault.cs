using Microsoft.Extensions.DependencyInjection;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// A fault put into a test silo: while <see cref="Failing"/> is set, its replicas refuse every write and copy
/// their primary sends, as a replica whose node is dying would. The one fault a primary cannot tell from the
/// real thing, made on demand so a test can say exactly which write failed.
/// </summary>
public sealed class ReplicaWriteFault : IIncomingGrainCallFilter
{
    /// <summary>Whether the silo's replicas refuse writes now.</summary>
    public bool Failing { get; set; }

    /// <summary>Adds the fault (off) to a silo; find it with <c>ChangingCluster.Service&lt;ReplicaWriteFault&gt;(silo)</c>.</summary>
    public static void AddTo(ISiloBuilder silo)
    {
        silo.Services.AddSingleton<ReplicaWriteFault>();
        silo.Services.AddSingleton<IIncomingGrainCallFilter>(services => services.GetRequiredService<ReplicaWriteFault>());
    }

    /// <inheritdoc />
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (Failing && context.InterfaceMethod.DeclaringType == typeof(IReplicaGrain)
            && context.InterfaceMethod.Name is nameof(IReplicaGrain.ApplyAsync) or nameof(IReplicaGrain.ApplyManyAsync) or nameof(IReplicaGrain.ResetAsync))
        {
            throw new InvalidOperationException("The test made this replica refuse writes.");
        }

        return context.Invoke();
    }
}
