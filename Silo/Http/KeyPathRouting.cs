using Microsoft.AspNetCore.Http.Features;

namespace OrleansCache.Silo.Http;

/// <summary>
/// Routes requests under the key routes' prefixes by their raw target, as <see cref="PathKey"/> reads the key.
/// </summary>
/// <remarks>
/// Kestrel decodes <c>%2E</c> and then removes <c>.</c> and <c>..</c> segments from the path it routes by,
/// so <c>/get/%2E%2E</c> (the key <c>..</c>) reached routing as <c>/</c> and <c>/cache/a/../../b</c> as
/// <c>/b</c>: both answered 404 for valid keys. Only these prefixes are routed raw; nothing under them
/// serves files, so no path can climb anywhere through a <c>..</c> segment.
/// </remarks>
internal static class KeyPathRouting
{
    /// <summary>Routes a request whose raw target starts with one of <paramref name="prefixes"/> by that target.</summary>
    /// <remarks>Call before <c>UseRouting</c>.</remarks>
    public static IApplicationBuilder UseKeyPathRouting(this IApplicationBuilder app, params string[] prefixes) =>
        app.Use((context, next) =>
        {
            string? target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
            if (target is not null)
            {
                foreach (string prefix in prefixes)
                {
                    if (target.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        int query = target.IndexOf('?', StringComparison.Ordinal);
                        context.Request.Path = PathString.FromUriComponent(query < 0 ? target : target[..query]);
                        break;
                    }
                }
            }

            return next(context);
        });
}
