using System.Net.Http.Headers;
using System.Text;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// Random requests a node must refuse, or answer harmlessly, and never with a 5xx: random bytes and
/// broken JSON for <c>/set</c>, <c>/mset</c> and <c>/mget</c>, random bytes for the membership routes, bad keys in paths, refusable writes, bad
/// TTLs, failing or malformed conditions, counters over a non-integer and oversized values aimed at
/// <see cref="Sentinel"/>, and any method on any route. The same seed gives the same requests.
/// </summary>
internal static class RandomBadRequests
{
    /// <summary>The key every write here that names it must fail to change.</summary>
    public const string Sentinel = "fuzz-sentinel";

    private const int MaxValue = HttpNodeFixture.MaxValueBytes;

    private static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PURGE", "FOO"];

    private static readonly string[] Routes =
        [
            "/", "/ping", "/set", "/get", "/get/", "/get/fz-m", "/dump-content", "/cache", "/cache/", "/cache/fz-m", "/cluster", "/nope",
            "/dashboard/", "/mget", "/mset", "/incr", "/incr/", "/incr/fz-m", "/stats",
            "/_membership/gossip", "/_membership/table", "/_membership/copy", "/_membership/nope",
        ];

    private static readonly string[] BadTtls =
        ["0", "-1", "-9223372036854775808", "abc", "1.5", "1e3", "", " 5", "3155760001", "99999999999999999999999", "0x10", "∞", "NaN"];

    private static readonly string[] BadJsonTtls =
        ["0", "-1", "\"5\"", "1.5", "1e30", "true", "null,", "[5]", "{}", "3155760001", "-0.0"];

    private static readonly string[] BadConditions =
    [
        "If-None-Match: *", "If-Match: \"0\"", "If-Match: \"999999999999\"", "If-Match: \"x\"", "If-Match: W/\"1\"", "If-Match: 1",
        "If-Match: \"1\", \"2\"", "If-None-Match: \"1\"", "If-Match: ", "If-Match: \"\"",
    ];

    private static readonly string[] BadBy = ["abc", "1.5", "99999999999999999999", "", "--1", "1e3", "0x1"];

    private static readonly string[] KeyPieces =
    [
        "%FF", "%C3", "%zz", "%", "%2", "%ED%A0%80", "%C0%AF", "%00", "%0A", "%E6%97%A5", "%F0%9F%8E%89", "%2F", "%2E", "%20", "%25",
        "..", ".", "/", "a", "Z", "~", "+", "?", "&", "=", ";", "@", ":", "!", "$", "'", "(", ")", "*", ",",
    ];

    private static readonly string?[] ContentTypes =
        [null, "application/json", "text/plain", "application/octet-stream", "multipart/form-data; boundary=x", "application/json; charset=utf-16"];

    private static readonly byte[] Template = """{"key":"fz","value":{"a":[1,"two",null,true,-2.5e3]}}"""u8.ToArray();

    private static readonly byte[] Structural = "{}[]\":,\\ 0e-tn"u8.ToArray();

    // Bodies aimed at the sentinel that must all be refused.
    private static readonly byte[][] RefusedSets =
    [
        .. new[]
        {
            """{"key":1,"value":"changed"}""", """{"key":null,"value":"changed"}""", """{"key":true,"value":"changed"}""",
            """{"key":["fuzz-sentinel"],"value":"changed"}""", """{"key":{"key":"fuzz-sentinel"},"value":"changed"}""",
            """{"key":"","value":"changed"}""", """{"key":"fuzz-sentinel\uD800","value":"changed"}""",
            """{"key":"fuzz-sentinel","value":"changed\uDC00"}""", """{"key":"fuzz-sentinel"}""", """{"KEY":"fuzz-sentinel","value":"changed"}""",
            """{"key":"fuzz-sentinel","value":"changed" """, """{"key":"fuzz-sentinel","value":"changed"} x""",
            """[{"key":"fuzz-sentinel","value":"changed"}]""", """{"key":"fuzz-sentinel","value":"changed",}""",
            """{"key":"fuzz-sentinel","value":changed}""", """{"key":"fuzz-sentinel","value":'changed'}""",
        }.Select(Encoding.UTF8.GetBytes),
        [.. """{"key":"fuzz-sentinel","value":"changed"""u8, 0xFF, .. "\"}"u8],
        [.. """{"key":"fuzz-sentinel","value":{"a":"changed"""u8, 0xC3, .. "\"}}"u8],
    ];

    /// <summary>Returns the next request, for a node whose targets <paramref name="target"/> makes.</summary>
    public static HttpRequestMessage Next(Random random, Func<string, Uri> target) => random.Next(10) switch
    {
        0 => Set(target, RandomBytes(random, random.Next(0, 300)), random),
        1 => Set(target, Mutated(random), random),
        2 => Set(target, RefusedSets[random.Next(RefusedSets.Length)], random),
        3 => BadKey(random, target),
        4 => Oversized(random, target),
        5 => BadTtl(random, target),
        6 => BadCondition(random, target),
        7 => BadCounter(random, target),
        8 => BadBatch(random, target),
        _ => AnyMethod(random, target),
    };

    private static HttpRequestMessage Set(Func<string, Uri> target, byte[] body, Random random)
    {
        var content = new ByteArrayContent(body);
        if (ContentTypes[random.Next(ContentTypes.Length)] is { } contentType)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return new HttpRequestMessage(HttpMethod.Post, target("/set")) { Content = content };
    }

    private static byte[] Mutated(Random random)
    {
        var body = new List<byte>(Template);
        for (int i = random.Next(1, 5); i > 0; i--)
        {
            int at = random.Next(body.Count);
            byte b = random.Next(2) == 0 ? (byte)random.Next(256) : Structural[random.Next(Structural.Length)];
            switch (random.Next(3))
            {
                case 0:
                    body[at] = b;
                    break;
                case 1:
                    body.RemoveAt(at);
                    break;
                default:
                    body.Insert(at, b);
                    break;
            }
        }

        return [.. body];
    }

    private static HttpRequestMessage BadKey(Random random, Func<string, Uri> target)
    {
        string key = random.Next(8) switch
        {
            0 => new string('k', random.Next(1025, 1100)),
            1 => string.Concat(Enumerable.Repeat("%E6%97%A5", random.Next(342, 350))),
            _ => string.Concat(Enumerable.Range(0, random.Next(0, 9)).Select(_ => KeyPieces[random.Next(KeyPieces.Length)])),
        };

        var (method, prefix) = random.Next(4) switch
        {
            0 => (HttpMethod.Get, "/get/"),
            1 => (HttpMethod.Get, "/cache/"),
            2 => (HttpMethod.Put, "/cache/"),
            _ => (HttpMethod.Delete, "/cache/"),
        };

        var request = new HttpRequestMessage(method, target(prefix + key));
        if (method == HttpMethod.Put)
        {
            request.Content = new ByteArrayContent(RandomBytes(random, random.Next(0, 64)));
        }

        return request;
    }

    private static HttpRequestMessage Oversized(Random random, Func<string, Uri> target)
    {
        HttpRequestMessage request;
        if (random.Next(2) == 0)
        {
            request = new HttpRequestMessage(HttpMethod.Put, target("/cache/" + Sentinel))
            {
                Content = new ByteArrayContent(RandomBytes(random, random.Next(MaxValue + 1, 3 * MaxValue))),
            };
        }
        else
        {
            // Up to twelve times the limit: some bodies are refused unread, the others once parsed.
            string value = random.Next(2) == 0
                ? "\"" + new string('x', random.Next(MaxValue + 1, 12 * MaxValue)) + "\""
                : "[" + string.Join(',', Enumerable.Repeat(7, random.Next(MaxValue / 2 + 1, 2 * MaxValue))) + "]";
            request = Set(target, Encoding.UTF8.GetBytes($$"""{"key":"{{Sentinel}}","value":{{value}}}"""), random);
        }

        request.Headers.TransferEncodingChunked = random.Next(2) == 0;
        return request;
    }

    // Writes of the sentinel with a TTL that must be refused, through every front door.
    private static HttpRequestMessage BadTtl(Random random, Func<string, Uri> target)
    {
        string ttl = BadJsonTtls[random.Next(BadJsonTtls.Length)];
        return random.Next(3) switch
        {
            0 => new HttpRequestMessage(HttpMethod.Put, target($"/cache/{Sentinel}?ttl={Uri.EscapeDataString(BadTtls[random.Next(BadTtls.Length)])}"))
            {
                Content = new ByteArrayContent("changed"u8.ToArray()),
            },
            1 => Set(target, Encoding.UTF8.GetBytes($$"""{"key":"{{Sentinel}}","value":"changed","ttl":{{ttl}}}"""), random),
            _ => Post(target, "/mset", $$"""{"entries":{"{{Sentinel}}":"changed","fz-other":1},"ttl":{{ttl}}}"""),
        };
    }

    // Conditional writes of the sentinel that fail (412) or are malformed (400).
    private static HttpRequestMessage BadCondition(Random random, Func<string, Uri> target)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, target("/cache/" + Sentinel)) { Content = new ByteArrayContent("changed"u8.ToArray()) };
        string condition = BadConditions[random.Next(BadConditions.Length)];
        int colon = condition.IndexOf(':', StringComparison.Ordinal);
        request.Headers.TryAddWithoutValidation(condition[..colon], condition[(colon + 1)..].Trim());
        if (random.Next(4) == 0)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        }

        return request;
    }

    // Counters over the sentinel (not an integer: 409) or with a bad step (400).
    private static HttpRequestMessage BadCounter(Random random, Func<string, Uri> target) => random.Next(2) == 0
        ? new HttpRequestMessage(HttpMethod.Post, target($"/incr/{Sentinel}?by={random.Next(-5, 5)}"))
        : new HttpRequestMessage(HttpMethod.Post, target($"/incr/{Sentinel}?by={Uri.EscapeDataString(BadBy[random.Next(BadBy.Length)])}"));

    // Broken batch bodies, and batches that name the sentinel but must be refused as a whole.
    private static HttpRequestMessage BadBatch(Random random, Func<string, Uri> target) => random.Next(4) switch
    {
        0 => Post(target, random.Next(2) == 0 ? "/mget" : "/mset", RandomBytes(random, random.Next(0, 200))),
        1 => Post(target, "/mset", $$$"""{"entries":{"{{{Sentinel}}}":"changed","{{{new string('k', random.Next(1025, 1100))}}}":1}}"""),
        2 => Post(target, "/mset", """{"entries":{"fuzz-sentinel":"changed","":2}}"""),
        _ => Post(target, "/mget", random.Next(3) switch
        {
            0 => """{"keys":[]}""",
            1 => """{"keys":["fuzz-sentinel",{"a":1}]}""",
            _ => """{"keys":"fuzz-sentinel"}""",
        }),
    };

    private static HttpRequestMessage Post(Func<string, Uri> target, string route, string body) => Post(target, route, Encoding.UTF8.GetBytes(body));

    private static HttpRequestMessage Post(Func<string, Uri> target, string route, byte[] body) =>
        new(HttpMethod.Post, target(route)) { Content = new ByteArrayContent(body) };

    private static HttpRequestMessage AnyMethod(Random random, Func<string, Uri> target)
    {
        string method = Methods[random.Next(Methods.Length)];
        var request = new HttpRequestMessage(new HttpMethod(method), target(Routes[random.Next(Routes.Length)]));
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new ByteArrayContent(RandomBytes(random, random.Next(0, 64)));
        }

        return request;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
