using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OrleansCache.Tests.Infrastructure;

/// <summary>
/// An OTLP/HTTP endpoint on loopback that keeps the spans nodes export to it (protobuf, as
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c> sends them), decoding only what a trace's shape needs:
/// trace id, span id, parent span id and name. Other signals are accepted and dropped.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentBag<Span> _spans = [];
    private readonly Task _serving;

    private OtlpTraceReceiver(int port)
    {
        Endpoint = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Endpoint + "/");
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>What <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> should name.</summary>
    public string Endpoint { get; }

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<Span> Spans => [.. _spans];

    /// <summary>Listens on a free loopback port.</summary>
    public static OtlpTraceReceiver Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new OtlpTraceReceiver(port);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _serving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            if (context.Request.Url?.AbsolutePath == "/v1/traces")
            {
                foreach (var span in Decode(body.ToArray()))
                {
                    _spans.Add(span);
                }
            }

            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    // ExportTraceServiceRequest { 1: ResourceSpans } → ResourceSpans { 2: ScopeSpans } → ScopeSpans { 2: Span }
    // → Span { 1: trace_id, 2: span_id, 4: parent_span_id, 5: name }.
    private static List<Span> Decode(byte[] request)
    {
        var spans = new List<Span>();
        foreach (var resourceSpans in Fields(request, 1))
        {
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    string Hex(int field) => Convert.ToHexString(Fields(span, field).FirstOrDefault() ?? []);
                    var name = Fields(span, 5).FirstOrDefault() is { } bytes ? Encoding.UTF8.GetString(bytes) : "";
                    spans.Add(new Span(Hex(1), Hex(2), Hex(4), name));
                }
            }
        }

        return spans;
    }

    // The length-delimited fields numbered `number` of one protobuf message; other fields are skipped.
    private static List<byte[]> Fields(ReadOnlySpan<byte> message, int number)
    {
        var found = new List<byte[]>();
        int at = 0;
        while (at < message.Length)
        {
            ulong tag = ReadVarint(message, ref at);
            int wireType = (int)(tag & 7);
            switch (wireType)
            {
                case 0:
                    ReadVarint(message, ref at);
                    break;
                case 1:
                    at += 8;
                    break;
                case 2:
                    int length = (int)ReadVarint(message, ref at);
                    if ((int)(tag >> 3) == number)
                    {
                        found.Add(message.Slice(at, length).ToArray());
                    }

                    at += length;
                    break;
                case 5:
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Protobuf wire type {wireType} at byte {at}.");
            }
        }

        return found;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> message, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>One exported span: ids in hex, the parent's empty for a root span.</summary>
    public sealed record Span(string TraceId, string SpanId, string ParentSpanId, string Name);
}
