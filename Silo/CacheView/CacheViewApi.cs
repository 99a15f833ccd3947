using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace OrleansCache.Silo.CacheView;

/// <summary>
/// <c>GET /cache-view/</c>: a page beside the Orleans dashboard showing the cache: the nodes and their status,
/// what each holds and did, and the bucket map, refreshed every 1.5 s from <c>/cluster</c>, <c>/stats</c> and
/// <c>/cluster/buckets</c>. <c>GET /dashboard/cache</c> leads to it.
/// </summary>
/// <remarks>
/// The page's three files are embedded in this assembly rather than served from a wwwroot folder: a node then
/// serves them however it is started (<c>dotnet run</c>, the published folder, the container) with no web root
/// to find, and no static-file middleware looks at every request, key routes included. The Orleans dashboard
/// serves its own files the same way; its routes under <c>/dashboard/</c> are fixed names, <c>cache</c> not one.
/// </remarks>
public static class CacheViewApi
{
    private const string Prefix = "/cache-view";

    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapCacheView(this IEndpointRouteBuilder app)
    {
        var page = Asset.Load("index.html", "text/html; charset=utf-8");
        var script = Asset.Load("cache-view.js", "text/javascript; charset=utf-8");
        var style = Asset.Load("cache-view.css", "text/css; charset=utf-8");

        // Routing matches /cache-view and /cache-view/ alike, but the page asks for ../cluster and the rest
        // relative to its own address, so it is served only at the one that ends in '/'.
        app.MapGet(Prefix + "/", Results<FileContentHttpResult, RedirectHttpResult> (HttpContext context) =>
            context.Request.Path.Value!.EndsWith('/')
                ? page.Serve(context)
                : TypedResults.Redirect($"{context.Request.PathBase}{Prefix}/", permanent: true));
        app.MapGet("/dashboard/cache", (HttpContext context) => TypedResults.Redirect($"{context.Request.PathBase}{Prefix}/"));
        app.MapGet(Prefix + "/cache-view.js", (HttpContext context) => script.Serve(context));
        app.MapGet(Prefix + "/cache-view.css", (HttpContext context) => style.Serve(context));
        return app;
    }

    private sealed record Asset(byte[] Content, string ContentType, EntityTagHeaderValue ETag)
    {
        public static Asset Load(string name, string contentType)
        {
            using var stream = typeof(CacheViewApi).Assembly.GetManifestResourceStream($"OrleansCache.Silo.CacheView.{name}")
                ?? throw new InvalidOperationException($"The cache view's {name} is not embedded in the node.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            return new Asset(content, contentType, new EntityTagHeaderValue($"\"{Convert.ToHexString(SHA256.HashData(content), 0, 8)}\""));
        }

        // Revalidated on every load (answered 304 while unchanged), so a node that is upgraded serves its new page
        // at once. The policy allows this node's own files and requests only: the page needs nothing else.
        public FileContentHttpResult Serve(HttpContext context)
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.ContentSecurityPolicy = "default-src 'self'";
            return TypedResults.Bytes(Content, ContentType, entityTag: ETag);
        }
    }
}
