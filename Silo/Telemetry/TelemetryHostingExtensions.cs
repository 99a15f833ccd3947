using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using OrleansCache.Grains.Telemetry;
using OrleansCache.Silo.Configuration;

namespace OrleansCache.Silo.Telemetry;

/// <summary>
/// Metrics and traces with OpenTelemetry: the cache's <c>orleans_cache.*</c> instruments, Orleans', ASP.NET
/// Core's and the .NET runtime's, served as Prometheus text at <c>GET /metrics</c>; and, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, metrics and traces exported over OTLP as the standard
/// <c>OTEL_*</c> variables say.
/// </summary>
public static class TelemetryHostingExtensions
{
    /// <summary>The standard OpenTelemetry variable that turns OTLP export on.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private const string OrleansMeterName = "Microsoft.Orleans";

    // Tag combinations kept per metric (more are counted under otel.metric.overflow). OpenTelemetry's default,
    // 2,000, is allocated up front for every metric: 33 MB of an empty node's 86 MB heap for its 229 metrics
    // (dotnet-gcdump). The most a metric here has is a door's commands by door, command and outcome, a few
    // hundred at most.
    private const int MaxSeriesPerMetric = 500;

    /// <summary>Registers the meters, the Prometheus exporter and, with an OTLP endpoint, tracing and its export.</summary>
    public static WebApplicationBuilder AddCacheTelemetry(this WebApplicationBuilder builder, NodeOptions node)
    {
        builder.Services.AddSingleton<DoorTelemetry>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("orleans-cache", serviceInstanceId: node.NodeId))
            .WithMetrics(metrics => metrics
                .AddMeter(CacheMetrics.MeterName, OrleansMeterName)
                .AddView(static _ => new MetricStreamConfiguration { CardinalityLimit = MaxSeriesPerMetric })
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddPrometheusExporter());

        if (ExportsTraces(builder.Configuration))
        {
            // A trace shows the door (an HTTP request, or a Redis protocol command), then the bucket grain call
            // and the replica grain calls it made (Orleans' spans, see AddCacheTracing).
            telemetry
                .WithTracing(tracing => tracing
                    .SetSampler(DoorSampler.Create())
                    .AddSource(DoorTelemetry.ActivitySourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => HttpCommandTiming.IsCommand(context.Request.Path.Value ?? "")))
                .UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Makes Orleans start a span for each grain call and carry the trace across silos, when traces are
    /// exported. Off otherwise: it adds a call filter to every grain call, which nothing would read.
    /// </summary>
    public static ISiloBuilder AddCacheTracing(this ISiloBuilder silo, IConfiguration configuration) =>
        ExportsTraces(configuration) ? silo.AddActivityPropagation() : silo;

    /// <summary>Maps <c>GET /metrics</c>: Prometheus text of every meter registered by <see cref="AddCacheTelemetry"/>.</summary>
    public static IEndpointRouteBuilder MapCacheMetrics(this IEndpointRouteBuilder app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }

    private static bool ExportsTraces(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpointVariable]);
}
