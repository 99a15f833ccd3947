using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansCache.Tests.Infrastructure;
using Xunit.Abstractions;

namespace OrleansCache.Tests.Processes;

/// <summary>
/// The HTTP API of one real node, driven as its clients drive it: every route, keys that need
/// encoding, and bad input of every kind, which must get a problem+json 4xx and change nothing stored.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class HttpApiTests(HttpNodeFixture fixture, ITestOutputHelper output) : IClassFixture<HttpNodeFixture>
{
    private const int MaxValue = HttpNodeFixture.MaxValueBytes;

    // Written to before every rejected request that names it, and checked after.
    private const string Victim = "victim";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private NodeProcess Node => fixture.Node;

    // ---- Routes as they should work ----

    [Fact]
    public async Task Ping_AnswersServiceAndStatus_WhenTheNodeIsUp()
    {
        var reply = await SendAsync(HttpMethod.Get, "/ping");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json", reply.MediaType);
        Assert.Equal("""{"service":"cache-node","status":"OK"}""", reply.Text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/octet-stream")]
    public async Task Set_StoresTheValue_WhenAnyOrNoContentTypeIsGiven(string? contentType)
    {
        string key = $"content-type {contentType ?? "none"}";

        var reply = await SetAsync(Json(new { key, value = "stored" }), contentType);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("stored", await GetStringAsync(key));
    }

    [Fact]
    public async Task Get_AnswersNullValue_WhenTheKeyIsMissing()
    {
        var reply = await SendAsync(HttpMethod.Get, "/get/never-stored");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("""{"value":null}""", reply.Text);
    }

    public static TheoryData<string, bool> Strings() => new()
    {
        { string.Empty, false },
        { "plain", false },
        { "with \"quotes\", \\ backslash and / slash", false },
        { "tab\t newline\n return\r nul\u0000 bell\u0007 del\u007f", false },
        { "é 日本 🎉 \u2028\u2029", false },
        { "é 日本 🎉 \u2028\u2029", true },
        { "<script>alert('&')</script>", false },
        { "{\"looks\": [\"like\", \"json\"]}", false },
        { "null", false },
        { "  padded  ", false },
    };

    [Theory]
    [MemberData(nameof(Strings), DisableDiscoveryEnumeration = true)] // Strings holding NUL upset test discovery.
    public async Task Set_RoundTripsAStringExactly_WhenReadThroughEveryRoute(string value, bool escapeAsAscii)
    {
        string key = $"string {escapeAsAscii} {Uri.EscapeDataString(value)}";

        // Sent both as ASCII with \u escapes (as Python's json.dumps does) and as raw UTF-8.
        var reply = await SetAsync(Json(new { key, value }, escapeAsAscii));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(value, await GetStringAsync(key));
        Assert.Equal(Encoding.UTF8.GetBytes(value), (await SendAsync(HttpMethod.Get, "/cache/" + Uri.EscapeDataString(key))).Body);
        Assert.Equal(value, JsonDocument.Parse((await DumpAsync())[key]).RootElement.GetString());
    }

    [Theory]
    [InlineData("""{"a":1,"b":[true,false,null],"c":{"d":"e"}}""")]
    [InlineData("""{ "spaced" : [ 1 , 2 ] }""")]
    [InlineData("[1,\"two\",3.0,[],{}]")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("42")]
    [InlineData("-0.5e10")]
    [InlineData("1.50")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("""{"escaped":"\u00e9\n\"","lone":"\ud800"}""")]
    public async Task Get_ReturnsAJsonValueUnchanged_WhenSetWithANonString(string json)
    {
        string key = $"json {json}";

        var reply = await SetAsync($$"""{"key":{{Json(key)}},"value":{{json}}}""");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal($$"""{"value":{{json}}}""", (await SendAsync(HttpMethod.Get, "/get/" + Uri.EscapeDataString(key))).Text);
        Assert.Equal(json, (await DumpAsync())[key]);
    }

    public static TheoryData<string, string> ValuesOfExactlyTheLimit() => new()
    {
        { "plain ASCII", Json(new string('a', MaxValue)) },
        { "every byte a \\u0001 escape", Json(new string('\u0001', MaxValue)) },
        { "every two bytes a \\u00e9 escape", Json(new string('é', MaxValue / 2), escapeAsAscii: true) },
        { "a JSON array", "[10" + string.Concat(Enumerable.Repeat(",0", (MaxValue - 4) / 2)) + "]" },
    };

    [Theory]
    [MemberData(nameof(ValuesOfExactlyTheLimit))]
    public async Task Set_AcceptsAValueOfExactlyMaxValueBytes_WhenItIsEscapedInAnyWay(string description, string value)
    {
        string key = "limit " + description;

        var reply = await SetAsync($$"""{"key":{{Json(key)}},"value":{{value}}}""");

        Assert.True(reply.Status == HttpStatusCode.OK, $"{(int)reply.Status}: {reply.Text}");
        Assert.Equal(MaxValue, (await SendAsync(HttpMethod.Get, "/cache/" + Uri.EscapeDataString(key))).Body.Length);
    }

    [Fact]
    public async Task DumpContent_ReturnsThisNodesEntriesAsAJsonObject_WhenSomeAreStored()
    {
        await SetAsync(Json(new { key = "dump/string", value = "s" }));
        await SetAsync("""{"key":"dump/json","value":{"n":[1,2]}}""");

        var reply = await SendAsync(HttpMethod.Get, "/dump-content");
        var dump = await DumpAsync();

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("application/json", reply.MediaType);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(reply.Body).RootElement.ValueKind);
        Assert.Equal("\"s\"", dump["dump/string"]);
        Assert.Equal("""{"n":[1,2]}""", dump["dump/json"]);
    }

    [Fact]
    public async Task Cache_ReturnsTheSameBytes_WhenTheValueIsBinary()
    {
        var value = Enumerable.Range(0, 256).Select(b => (byte)(255 - b)).ToArray();

        var put = await SendAsync(HttpMethod.Put, "/cache/binary", new ByteArrayContent(value));
        var get = await SendAsync(HttpMethod.Get, "/cache/binary");
        var legacy = await SendAsync(HttpMethod.Get, "/get/binary");

        Assert.Equal(HttpStatusCode.NoContent, put.Status);
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Equal("application/octet-stream", get.MediaType);
        Assert.Equal(value, get.Body);
        Assert.Equal($$"""{"value":"{{Convert.ToBase64String(value)}}","encoding":"base64"}""", legacy.Text);
    }

    [Fact]
    public async Task CachePut_StoresAnEmptyValue_WhenTheBodyIsEmpty()
    {
        var put = await SendAsync(HttpMethod.Put, "/cache/empty", new ByteArrayContent([]));
        var get = await SendAsync(HttpMethod.Get, "/cache/empty");

        Assert.Equal(HttpStatusCode.NoContent, put.Status);
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.Empty(get.Body);
        Assert.Equal(string.Empty, await GetStringAsync("empty"));
    }

    [Fact]
    public async Task CacheGet_Answers404ProblemJson_WhenTheKeyIsMissing()
    {
        var reply = await SendAsync(HttpMethod.Get, "/cache/never-stored");

        AssertProblem(reply, HttpStatusCode.NotFound, "never-stored");
    }

    [Fact]
    public async Task CacheDelete_RemovesTheKeyThenAnswers404_WhenDeletedTwice()
    {
        await PutAsync("to-delete", "x"u8.ToArray());

        var first = await SendAsync(HttpMethod.Delete, "/cache/to-delete");
        var get = await SendAsync(HttpMethod.Get, "/cache/to-delete");
        var second = await SendAsync(HttpMethod.Delete, "/cache/to-delete");

        Assert.Equal(HttpStatusCode.NoContent, first.Status);
        AssertProblem(get, HttpStatusCode.NotFound, "to-delete");
        AssertProblem(second, HttpStatusCode.NotFound, "to-delete");
        Assert.DoesNotContain("to-delete", (await DumpAsync()).Keys);
    }

    [Fact]
    public async Task Cluster_DescribesThisNode_WhenItIsAlone()
    {
        var reply = await SendAsync(HttpMethod.Get, "/cluster");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var root = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal("http-node", root.GetProperty("self").GetString());
        var member = Assert.Single(root.GetProperty("members").EnumerateArray());
        Assert.Equal("http-node", member.GetProperty("id").GetString());
        Assert.Equal(Node.Ip, member.GetProperty("ip").GetString());
        Assert.Equal("Active", member.GetProperty("status").GetString());
        var endpoints = member.GetProperty("endpoints");
        Assert.Equal($"{Node.Ip}:11111", endpoints.GetProperty("silo").GetString());
        Assert.Equal($"{Node.Ip}:30000", endpoints.GetProperty("gateway").GetString());
        Assert.Equal($"http://{Node.Ip}:8080", endpoints.GetProperty("http").GetString());
        Assert.Equal(1024, member.GetProperty("primaryBuckets").GetInt32());
        Assert.Equal(0, member.GetProperty("replicaBuckets").GetInt32());
    }

    [Fact]
    public async Task Dashboard_Answers200_WhenAskedAtItsPrefix()
    {
        var reply = await SendAsync(HttpMethod.Get, "/dashboard/");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("text/html", reply.MediaType);
    }

    // ---- Keys that need encoding, in every route ----

    public enum KeyEncoding
    {
        /// <summary>What <see cref="Uri.EscapeDataString(string)"/> gives: <c>/</c> as <c>%2F</c>, <c>.</c> as is.</summary>
        Escaped,

        /// <summary>Each <c>/</c>-separated part escaped, the <c>/</c> between them sent as is.</summary>
        LiteralSlashes,

        /// <summary>Every byte as <c>%XX</c>, <c>.</c> and letters too.</summary>
        EveryByte,
    }

    private static readonly string[] Keys =
    [
        "a/b", "with space", "100%", "a+b", "what?", "hash#tag", "amp&eq=semi;", "%41", "back\\slash", "~tilde_-.",
        "..", ".", "../up", "a/../b", "a/./b", "x/..", "a/../../../b", "a//b", "/lead", "trail/",
        "é日本🎉", "ключ/значение", new string('é', 512),
    ];

    public static TheoryData<string, KeyEncoding> EncodedKeys()
    {
        var data = new TheoryData<string, KeyEncoding>();
        foreach (string key in Keys)
        {
            data.Add(key, KeyEncoding.Escaped);
            data.Add(key, KeyEncoding.EveryByte);
            if (key.Contains('/'))
            {
                data.Add(key, KeyEncoding.LiteralSlashes);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EncodedKeys))]
    public async Task Key_WorksInEveryRoute_WhenPercentEncoded(string key, KeyEncoding encoding)
    {
        string path = Encode(key, encoding);

        var put = await SendAsync(HttpMethod.Put, "/cache/" + path, new ByteArrayContent("put"u8.ToArray()));
        var dumped = (await DumpAsync()).GetValueOrDefault(key);
        string? legacyGet = await GetStringAsync(path, encoded: true);
        var set = await SetAsync(Json(new { key, value = "set" }));
        var get = await SendAsync(HttpMethod.Get, "/cache/" + path);
        var delete = await SendAsync(HttpMethod.Delete, "/cache/" + path);
        string? afterDelete = await GetStringAsync(path, encoded: true);
        var secondDelete = await SendAsync(HttpMethod.Delete, "/cache/" + path);

        Assert.Equal(HttpStatusCode.NoContent, put.Status);
        Assert.Equal("\"put\"", dumped); // Stored under exactly this key, not a decoded or normalized variant.
        Assert.Equal("put", legacyGet);
        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("set"u8.ToArray(), get.Body);
        Assert.Equal(HttpStatusCode.NoContent, delete.Status);
        Assert.Null(afterDelete);
        AssertProblem(secondDelete, HttpStatusCode.NotFound);
    }

    // ---- Bad input: refused with problem+json, nothing changed ----

    public static TheoryData<string, byte[], string> BadBodies() => new()
    {
        { "unclosed object", U("""{"key":"victim","value":"changed" """), "not valid JSON" },
        { "bare word", U("{changed"), "not valid JSON" },
        { "empty body", [], "not valid JSON" },
        { "trailing text", U("""{"key":"victim","value":"changed"} and more"""), "not valid JSON" },
        { "single quotes", U("{'key':'victim','value':'changed'}"), "not valid JSON" },
        { "comment", U("""{"key":"victim",/* c */"value":"changed"}"""), "not valid JSON" },
        { "trailing comma", U("""{"key":"victim","value":"changed",}"""), "not valid JSON" },
        { "nested 100 deep", U($$"""{"key":"victim","value":{{new string('[', 100)}}{{new string(']', 100)}}}"""), "not valid JSON" },
        { "UTF-16", Encoding.Unicode.GetBytes("""{"key":"victim","value":"changed"}"""), "not valid JSON" },
        { "0xFF outside strings", [.. U("""{"key":"victim","value":"changed"}"""), 0xFF], "not valid JSON" },
        { "body an array", U("""[{"key":"victim","value":"changed"}]"""), "must be a JSON object" },
        { "body a string", U("\"victim\""), "must be a JSON object" },
        { "body a number", U("42"), "must be a JSON object" },
        { "body null", U("null"), "must be a JSON object" },
        { "key a number", U("""{"key":1,"value":"changed"}"""), "\"key\" that is a JSON string" },
        { "key null", U("""{"key":null,"value":"changed"}"""), "\"key\" that is a JSON string" },
        { "key true", U("""{"key":true,"value":"changed"}"""), "\"key\" that is a JSON string" },
        { "key an array", U("""{"key":["victim"],"value":"changed"}"""), "\"key\" that is a JSON string" },
        { "key an object", U("""{"key":{"key":"victim"},"value":"changed"}"""), "\"key\" that is a JSON string" },
        { "key missing", U("""{"value":"changed"}"""), "\"key\" that is a JSON string" },
        { "key spelled Key", U("""{"Key":"victim","value":"changed"}"""), "\"key\" that is a JSON string" },
        { "value missing", U("""{"key":"victim"}"""), "needs a \"value\"" },
        { "value spelled Value", U("""{"key":"victim","Value":"changed"}"""), "needs a \"value\"" },
        { "key empty", U("""{"key":"","value":"changed"}"""), "key is empty" },
        { "key of 1025 ASCII bytes", U(Json(new { key = new string('k', 1025), value = "changed" })), "1025 bytes" },
        { "key of 1026 bytes in 342 characters", U(Json(new { key = new string('日', 342), value = "changed" })), "1026 bytes" },
        { "key a lone surrogate", U("""{"key":"victim\uD800","value":"changed"}"""), "not valid Unicode" },
        { "value a lone surrogate", U("""{"key":"victim","value":"changed\uDC00"}"""), "not valid Unicode" },
        { "key with byte 0xFF", [.. U("""{"key":"victim"""), 0xFF, .. U(""" ","value":"changed"}""")], "not valid Unicode" },
        { "value with a truncated sequence", [.. U("""{"key":"victim","value":"changed"""), 0xC3, .. U("\"}")], "not valid Unicode" },
        { "value object with byte 0xFF", [.. U("""{"key":"victim","value":{"a":" """), 0xFF, .. U("\"}}")], "not valid Unicode" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Set_Answers400AndChangesNothing_WhenTheBodyIsBad(string description, byte[] body, string detail)
    {
        await AssertRejectedAsync(() => SetAsync(body), HttpStatusCode.BadRequest, detail, description);
    }

    public static TheoryData<string, string> OversizedValues() => new()
    {
        { "a string of one byte too many", Json(new string('a', MaxValue + 1)) },
        { "a string of 2049 two-byte characters", Json(new string('é', MaxValue / 2 + 1)) },
        { "a string of escapes, one byte too many", Json(new string('\u0001', MaxValue + 1)) },
        { "a JSON array", "[" + string.Join(',', Enumerable.Repeat(0, MaxValue)) + "]" },
        { "a body larger than any value can need", Json(new string('\u0001', 8 * MaxValue)) },
    };

    [Theory]
    [MemberData(nameof(OversizedValues))]
    public async Task Set_Answers413AndChangesNothing_WhenTheValueIsOverMaxValueBytes(string description, string value)
    {
        byte[] body = U($$"""{"key":"victim","value":{{value}}}""");

        await AssertRejectedAsync(() => SetAsync(body), HttpStatusCode.RequestEntityTooLarge, "MAX_VALUE_BYTES", description);
    }

    [Theory]
    [InlineData(false, MaxValue + 1)]
    [InlineData(true, MaxValue + 1)]
    [InlineData(false, 100 * MaxValue)]
    [InlineData(true, 100 * MaxValue)]
    public async Task CachePut_Answers413AndChangesNothing_WhenTheBodyIsOverMaxValueBytes(bool chunked, int length)
    {
        await AssertRejectedAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, Target("/cache/victim")) { Content = new ByteArrayContent(new byte[length]) };
                request.Headers.TransferEncodingChunked = chunked;
                return SendAsync(request);
            },
            HttpStatusCode.RequestEntityTooLarge,
            "MAX_VALUE_BYTES");
    }

    [Theory]
    [InlineData("PUT", "/cache/victim", false)]
    [InlineData("PUT", "/cache/victim", true)]
    [InlineData("POST", "/set", false)]
    [InlineData("POST", "/set", true)]
    public async Task Write_Answers413BeforeTheBodyEnds_WhenTheBodyIsOverTheLimit(string method, string target, bool chunked)
    {
        // The body never ends: a node that waited for all of it would not answer.
        var start = U("""{"key":"victim","value":" """ + new string('a', 64 * 1024));
        string head = chunked
            ? $"{method} {target} HTTP/1.1\r\nHost: {Node.Ip}:8080\r\nTransfer-Encoding: chunked\r\n\r\n{start.Length:X}\r\n"
            : $"{method} {target} HTTP/1.1\r\nHost: {Node.Ip}:8080\r\nContent-Length: 1000000000\r\n\r\n";

        await AssertChangesNothingAsync(async () =>
        {
            var (status, responseHead) = await RawHttp.SendUnfinishedAsync(Node.Ip, 8080, head, start, Timeout);

            Assert.True(status == 413, responseHead);
            Assert.Contains("Content-Type: application/problem+json", responseHead, StringComparison.OrdinalIgnoreCase);
        });
    }

    public static TheoryData<string, string, string> BadKeyTargets() => new()
    {
        { "GET", "/get/", "key is empty" },
        { "GET", "/cache/", "key is empty" },
        { "PUT", "/cache/", "key is empty" },
        { "DELETE", "/cache/", "key is empty" },
        { "GET", "/get/victim%FF", "not valid UTF-8" },
        { "GET", "/cache/victim%FF", "not valid UTF-8" },
        { "PUT", "/cache/victim%FF", "not valid UTF-8" },
        { "DELETE", "/cache/victim%FF", "not valid UTF-8" },
        { "PUT", "/cache/victim%C3", "not valid UTF-8" },
        { "PUT", "/cache/%ED%A0%80", "not valid UTF-8" },
        { "PUT", "/cache/%C0%AF", "not valid UTF-8" },
        { "GET", "/get/%zz", "malformed escape" },
        { "GET", "/get/victim%", "malformed escape" },
        { "PUT", "/cache/victim%4", "malformed escape" },
        { "GET", "/get/" + new string('k', 1025), "1025 bytes" },
        { "GET", "/cache/" + new string('k', 1025), "1025 bytes" },
        { "PUT", "/cache/" + new string('k', 1025), "1025 bytes" },
        { "DELETE", "/cache/" + new string('k', 1025), "1025 bytes" },
        { "PUT", "/cache/" + string.Concat(Enumerable.Repeat("%E6%97%A5", 342)), "1026 bytes" },
    };

    [Theory]
    [MemberData(nameof(BadKeyTargets))]
    public async Task KeyInPath_Answers400AndChangesNothing_WhenItIsBad(string method, string target, string detail)
    {
        await AssertRejectedAsync(
            () => SendAsync(new HttpMethod(method), target, method == "PUT" ? new ByteArrayContent("changed"u8.ToArray()) : null),
            HttpStatusCode.BadRequest,
            detail);
    }

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/nope")]
    [InlineData("POST", "/nope")]
    [InlineData("GET", "/gett/victim")]
    [InlineData("GET", "/ping/extra")]
    [InlineData("GET", "/dump-content/extra")]
    [InlineData("GET", "/cluster/extra")]
    [InlineData("GET", "/cluster/buckets/extra")]
    [InlineData("GET", "/cache-view/nope")]
    [InlineData("POST", "/set/victim")]
    public async Task Route_Answers404ProblemJson_WhenUnknown(string method, string target)
    {
        await AssertRejectedAsync(() => SendAsync(new HttpMethod(method), target, Body(method)), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("POST", "/ping")]
    [InlineData("DELETE", "/ping")]
    [InlineData("GET", "/set")]
    [InlineData("PUT", "/set")]
    [InlineData("DELETE", "/set")]
    [InlineData("POST", "/get/victim")]
    [InlineData("PUT", "/get/victim")]
    [InlineData("DELETE", "/get/victim")]
    [InlineData("POST", "/cache/victim")]
    [InlineData("PATCH", "/cache/victim")]
    [InlineData("OPTIONS", "/cache/victim")]
    [InlineData("POST", "/dump-content")]
    [InlineData("DELETE", "/dump-content")]
    [InlineData("PUT", "/cluster")]
    [InlineData("POST", "/cluster/buckets")]
    [InlineData("POST", "/cache-view/")]
    public async Task Route_Answers405ProblemJson_WhenTheMethodIsWrong(string method, string target)
    {
        await AssertRejectedAsync(() => SendAsync(new HttpMethod(method), target, Body(method)), HttpStatusCode.MethodNotAllowed);
    }

    // ---- Expiry, conditions, counters, batches, stats ----

    [Fact]
    public async Task CachePut_WithTtl_ServesTheValueUntilItExpires_ThenAnswers404()
    {
        var put = await SendAsync(HttpMethod.Put, "/cache/short-lived?ttl=1", new ByteArrayContent("soon gone"u8.ToArray()));
        var get = await SendAsync(HttpMethod.Get, "/cache/short-lived");

        Assert.Equal(HttpStatusCode.NoContent, put.Status);
        Assert.Equal("soon gone"u8.ToArray(), get.Body);
        await Poll.UntilAsync(
            async () => (await SendAsync(HttpMethod.Get, "/cache/short-lived")).Status == HttpStatusCode.NotFound,
            Timeout,
            "the 1 s entry to expire");
        Assert.DoesNotContain("short-lived", (await DumpAsync()).Keys);
    }

    [Fact]
    public async Task CachePut_WithIfMatch_WritesOverTheETagItRead_AndAnswers412OverAnyOther()
    {
        await PutAsync("cas", "one"u8.ToArray());
        string etag = (await SendWithHeadersAsync(HttpMethod.Get, "/cache/cas")).ETag!;

        var written = await SendWithHeadersAsync(HttpMethod.Put, "/cache/cas", "two", ("If-Match", etag));
        var stale = await SendWithHeadersAsync(HttpMethod.Put, "/cache/cas", "three", ("If-Match", etag));
        var unknown = await SendWithHeadersAsync(HttpMethod.Put, "/cache/cas", "three", ("If-Match", "\"nonsense\""));

        Assert.Equal(HttpStatusCode.NoContent, written.Status);
        Assert.NotEqual(etag, written.ETag);
        Assert.Equal(written.ETag, (await SendWithHeadersAsync(HttpMethod.Get, "/cache/cas")).ETag);
        AssertProblem(stale, HttpStatusCode.PreconditionFailed, $"at version {written.ETag}");
        AssertProblem(unknown, HttpStatusCode.PreconditionFailed);
        Assert.Equal("two"u8.ToArray(), (await SendAsync(HttpMethod.Get, "/cache/cas")).Body);
    }

    [Fact]
    public async Task CachePut_WithIfNoneMatchStar_WritesOnlyWhenAbsent_AndIfMatchStarOnlyWhenPresent()
    {
        var absentUpdate = await SendWithHeadersAsync(HttpMethod.Put, "/cache/nx", "x", ("If-Match", "*"));
        var created = await SendWithHeadersAsync(HttpMethod.Put, "/cache/nx", "first", ("If-None-Match", "*"));
        var again = await SendWithHeadersAsync(HttpMethod.Put, "/cache/nx", "second", ("If-None-Match", "*"));
        var update = await SendWithHeadersAsync(HttpMethod.Put, "/cache/nx", "third", ("If-Match", "*"));

        AssertProblem(absentUpdate, HttpStatusCode.PreconditionFailed, "No value is stored");
        Assert.Equal(HttpStatusCode.NoContent, created.Status);
        AssertProblem(again, HttpStatusCode.PreconditionFailed, "already stored");
        Assert.Equal(HttpStatusCode.NoContent, update.Status);
        Assert.Equal("third"u8.ToArray(), (await SendAsync(HttpMethod.Get, "/cache/nx")).Body);
    }

    [Fact]
    public async Task ConcurrentCompareAndSets_OverOneETag_LetExactlyOneWin()
    {
        await PutAsync("cas-race", "start"u8.ToArray());
        string etag = (await SendWithHeadersAsync(HttpMethod.Get, "/cache/cas-race")).ETag!;

        var attempts = Enumerable.Range(0, 16).Select(i => SendWithHeadersAsync(HttpMethod.Put, "/cache/cas-race", $"writer {i}", ("If-Match", etag)));
        var results = await Task.WhenAll(attempts);

        var winner = Assert.Single(results, r => r.Status == HttpStatusCode.NoContent);
        Assert.All(results.Where(r => r != winner), r => AssertProblem(r, HttpStatusCode.PreconditionFailed));
        Assert.Equal(winner.ETag, (await SendWithHeadersAsync(HttpMethod.Get, "/cache/cas-race")).ETag);
    }

    [Fact]
    public async Task CacheHead_Answers200WhenStored_And404WhenNot()
    {
        await PutAsync("head", "h"u8.ToArray());

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Head, "/cache/head")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Head, "/cache/head-missing")).Status);
    }

    [Fact]
    public async Task Incr_CountsAtomically_AndRefusesAValueThatIsNotAnInteger()
    {
        var first = await SendAsync(HttpMethod.Post, "/incr/counter");
        var many = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => SendAsync(HttpMethod.Post, "/incr/counter?by=2")));
        var down = await SendAsync(HttpMethod.Post, "/incr/counter?by=-41");

        Assert.Equal("""{"value":1}""", first.Text);
        Assert.All(many, r => Assert.Equal(HttpStatusCode.OK, r.Status));
        Assert.Equal("""{"value":0}""", down.Text);
        Assert.Equal("0", await GetStringAsync("counter"));
        await AssertRejectedAsync(() => SendAsync(HttpMethod.Post, "/incr/victim"), HttpStatusCode.Conflict, "not a 64-bit decimal integer");
    }

    [Theory]
    [InlineData("/incr/victim?by=abc", "by must be a 64-bit whole number")]
    [InlineData("/incr/victim?by=1.5", "by must be a 64-bit whole number")]
    [InlineData("/incr/victim?by=99999999999999999999", "by must be a 64-bit whole number")]
    [InlineData("/incr/victim?by=1&by=2", "by must be a 64-bit whole number")]
    [InlineData("/incr/", "key is empty")]
    public async Task Incr_Answers400AndChangesNothing_WhenTheRequestIsBad(string target, string detail)
    {
        await AssertRejectedAsync(() => SendAsync(HttpMethod.Post, target), HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task MsetAndMget_RoundTripStringsAndJson_WithNullForMisses()
    {
        var set = await SendAsync(HttpMethod.Post, "/mset", Content("""{"entries":{"m/a":"text","m/b":{"n":[1,2]},"m/c":7}}"""));
        var get = await SendAsync(HttpMethod.Post, "/mget", Content("""{"keys":["m/c","m/a","m/missing","m/b"]}"""));

        Assert.Equal(HttpStatusCode.OK, set.Status);
        Assert.Equal("""{"status":"OK"}""", set.Text);
        Assert.Equal("""{"values":{"m/c":7,"m/a":"text","m/missing":null,"m/b":{"n":[1,2]}}}""", get.Text);
    }

    [Fact]
    public async Task Stats_ReportsThisNodeAndTheCluster()
    {
        await PutAsync("stats-key", "s"u8.ToArray());
        await SendAsync(HttpMethod.Get, "/cache/stats-key");

        var reply = await SendAsync(HttpMethod.Get, "/stats");

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var root = JsonDocument.Parse(reply.Body).RootElement;
        var node = root.GetProperty("node");
        Assert.Equal("http-node", node.GetProperty("nodeId").GetString());
        Assert.Equal("lru", node.GetProperty("evictionPolicy").GetString());
        Assert.True(node.GetProperty("hits").GetInt64() >= 1);
        Assert.True(node.GetProperty("bytes").GetInt64() > 0);
        var cluster = root.GetProperty("cluster");
        Assert.Equal(1, cluster.GetProperty("nodes").GetInt32());
        Assert.Equal(node.GetProperty("keys").GetInt64(), cluster.GetProperty("keys").GetInt64());
        Assert.Equal((await DumpAsync()).Count, cluster.GetProperty("keys").GetInt64());
    }

    [Fact]
    public async Task Stats_ReportsTheNodeProcessMemory_AfterAFullCollectionWhenAsked()
    {
        var collected = await SendAsync(HttpMethod.Get, "/stats?gc=true");
        var refused = await SendAsync(HttpMethod.Get, "/stats?gc=yes");

        Assert.Equal(HttpStatusCode.OK, collected.Status);
        var process = JsonDocument.Parse(collected.Body).RootElement.GetProperty("process");
        long heap = process.GetProperty("managedHeapBytes").GetInt64();
        Assert.True(heap > 0 && heap <= process.GetProperty("gcCommittedBytes").GetInt64(), collected.Text);
        Assert.True(process.GetProperty("workingSetBytes").GetInt64() > heap, collected.Text);
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("gc must be true or false", refused.Text, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string, string> BadWrites() => new()
    {
        { "PUT", "/cache/victim?ttl=0", "changed", "The time to live must be positive; it is 0 s." },
        { "PUT", "/cache/victim?ttl=-1", "changed", "The time to live must be positive; it is -1 s." },
        { "PUT", "/cache/victim?ttl=abc", "changed", "ttl must be a whole number of seconds from 1" },
        { "PUT", "/cache/victim?ttl=1.5", "changed", "ttl must be a whole number of seconds from 1" },
        { "PUT", "/cache/victim?ttl=", "changed", "ttl must be a whole number of seconds from 1" },
        { "PUT", "/cache/victim?ttl=3155760001", "changed", "The time to live is longer than the limit of 3155760000 s (100 years)." },
        { "PUT", "/cache/victim?ttl=99999999999999999999999", "changed", "ttl must be a whole number of seconds from 1" },
        { "PUT", "/cache/victim?ttl=1&ttl=2", "changed", "ttl must be a whole number of seconds from 1" },
        { "POST", "/set", """{"key":"victim","value":"changed","ttl":0}""", "The time to live must be positive; it is 0 s." },
        { "POST", "/set", """{"key":"victim","value":"changed","ttl":-5}""", "The time to live must be positive; it is -5 s." },
        { "POST", "/set", """{"key":"victim","value":"changed","ttl":"5"}""", "\"ttl\" must be a whole number of seconds" },
        { "POST", "/set", """{"key":"victim","value":"changed","ttl":1.5}""", "\"ttl\" must be a whole number of seconds" },
        { "POST", "/set", """{"key":"victim","value":"changed","ttl":1e30}""", "\"ttl\" must be a whole number of seconds" },
        { "POST", "/set", """{"key":"victim","value":"changed","ttl":true}""", "\"ttl\" must be a whole number of seconds" },
        { "POST", "/set", """{"key":"victim","value":"changed","ttl":[5]}""", "\"ttl\" must be a whole number of seconds" },
        { "POST", "/mset", """{"entries":{"victim":"changed"},"ttl":-1}""", "The time to live must be positive; it is -1 s." },
        { "POST", "/mset", """{"entries":{"victim":"changed"},"ttl":"x"}""", "\"ttl\" must be a whole number of seconds" },
        { "POST", "/mset", """{"entries":{"victim":"changed","":"x"}}""", "key is empty" },
        { "POST", "/mset", $$$"""{"entries":{"victim":"changed","{{{new string('k', 1025)}}}":"x"}}""", "1025 bytes" },
        { "POST", "/mset", """{"entries":{"victim":"changed","bad\uD800":"x"}}""", "not valid Unicode" },
        { "POST", "/mset", """{"entries":{"victim":"changed\uDC00"}}""", "not valid Unicode" },
        { "POST", "/mset", """{"entries":[["victim","changed"]]}""", "\"entries\": a JSON object" },
        { "POST", "/mset", """{"victim":"changed"}""", "\"entries\": a JSON object" },
        { "POST", "/mset", """{"entries":{}}""", "No keys were given" },
        { "POST", "/mset", """{"entries":{"victim":"changed"}""", "not valid JSON" },
        { "POST", "/mset", "[]", "must be a JSON object" },
        { "POST", "/mget", """{"keys":"victim"}""", "\"keys\": a JSON array of strings" },
        { "POST", "/mget", """{"keys":["victim",1]}""", "must be a JSON string" },
        { "POST", "/mget", """{"keys":[]}""", "No keys were given" },
        { "POST", "/mget", """{"keys":[""]}""", "key is empty" },
        { "POST", "/mget", """{"keys":["\uD800"]}""", "not valid Unicode" },
        { "POST", "/mget", "not json", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadWrites))]
    public async Task Write_Answers400AndChangesNothing_WhenATtlOrBatchIsBad(string method, string target, string body, string detail)
    {
        await AssertRejectedAsync(() => SendAsync(new HttpMethod(method), target, Content(body)), HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task Mset_Answers413AndChangesNothing_WhenOneValueIsOverMaxValueBytes()
    {
        string body = $$$"""{"entries":{"victim":"changed","big":"{{{new string('x', MaxValue + 1)}}}"}}""";

        await AssertRejectedAsync(() => SendAsync(HttpMethod.Post, "/mset", Content(body)), HttpStatusCode.RequestEntityTooLarge, "MAX_VALUE_BYTES");
    }

    [Theory]
    [InlineData("If-Match", "\"1\", \"2\"", "one strong ETag")]
    [InlineData("If-Match", "W/\"1\"", "one strong ETag")]
    [InlineData("If-Match", "1", "one strong ETag")]
    [InlineData("If-None-Match", "\"1\"", "supports only *")]
    public async Task CachePut_Answers400AndChangesNothing_WhenAConditionIsMalformed(string header, string value, string detail)
    {
        await AssertRejectedAsync(
            () => SendWithHeadersAsync(HttpMethod.Put, "/cache/victim", "changed", (header, value)),
            HttpStatusCode.BadRequest,
            detail);
    }

    [Fact]
    public async Task CachePut_Answers400_WhenBothConditionsAreSent()
    {
        await AssertRejectedAsync(
            () => SendWithHeadersAsync(HttpMethod.Put, "/cache/victim", "changed", ("If-Match", "*"), ("If-None-Match", "*")),
            HttpStatusCode.BadRequest,
            "not both");
    }

    [Theory]
    [InlineData("GET", "/mget")]
    [InlineData("PUT", "/mset")]
    [InlineData("GET", "/incr/victim")]
    [InlineData("DELETE", "/incr/victim")]
    [InlineData("POST", "/stats")]
    public async Task NewRoutes_Answer405ProblemJson_WhenTheMethodIsWrong(string method, string target)
    {
        await AssertRejectedAsync(() => SendAsync(new HttpMethod(method), target, Body(method)), HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task RandomBadRequests_NeverGet5xxOrHangOrChangeTheSentinel_WhenSentFromAFixedSeed()
    {
        const int Requests = 500;
        byte[] sentinel = "sentinel value"u8.ToArray();
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(RandomBadRequests.Sentinel, sentinel)).Status);

        var random = new Random(20260611);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        for (int i = 0; i < Requests; i++)
        {
            using var request = RandomBadRequests.Next(random, Target);
            string described = $"#{i} {request.Method} {request.RequestUri!.PathAndQuery[..Math.Min(80, request.RequestUri.PathAndQuery.Length)]}"
                + $" ({request.Content?.Headers.ContentLength ?? 0} bytes{(request.Headers.TransferEncodingChunked == true ? ", chunked" : string.Empty)})";
            try
            {
                var reply = await SendAsync(request, TimeSpan.FromSeconds(5));
                statuses[(int)reply.Status] = statuses.GetValueOrDefault((int)reply.Status) + 1;
                if ((int)reply.Status >= 500)
                {
                    failures.Add($"{described}: {(int)reply.Status} {reply.Text}");
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
                failures.Add($"{described}: {e.GetType().Name} {e.Message}");
            }
        }

        string counts = string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"));
        output.WriteLine($"Answers by status: {counts}");
        Assert.True(failures.Count == 0, string.Join('\n', failures) + "\n" + Node.Output);

        // Most must be refused, or the generator has stopped making bad requests.
        int refused = statuses.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value);
        Assert.True(refused >= Requests * 3 / 4, $"Only {refused} of {Requests} refused ({counts}).");
        Assert.Equal(sentinel, (await SendAsync(HttpMethod.Get, "/cache/" + RandomBadRequests.Sentinel)).Body);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, "/ping")).Status);
        Assert.False(Node.HasExited);
    }

    // ---- Helpers ----

    private sealed record Reply(HttpStatusCode Status, string? MediaType, byte[] Body, string? ETag = null)
    {
        public string Text => Encoding.UTF8.GetString(Body);
    }

    /// <summary>
    /// Sends <paramref name="send"/>, which must be refused with <paramref name="status"/> and a problem
    /// whose detail holds <paramref name="detail"/>, and checks that it changed nothing.
    /// </summary>
    private Task AssertRejectedAsync(Func<Task<Reply>> send, HttpStatusCode status, string? detail = null, string? because = null) =>
        AssertChangesNothingAsync(async () => AssertProblem(await send(), status, detail, because));

    /// <summary>
    /// Runs <paramref name="reject"/> after writing a fresh value under the victim key, then checks that the
    /// victim and the whole dump are as they were (which also shows that the node still answers).
    /// </summary>
    private async Task AssertChangesNothingAsync(Func<Task> reject)
    {
        byte[] before = Encoding.UTF8.GetBytes($"before {Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(Victim, before)).Status);
        var dumpBefore = await DumpAsync();

        await reject();

        Assert.Equal(before, (await SendAsync(HttpMethod.Get, "/cache/" + Victim)).Body);
        Assert.Equal(dumpBefore, await DumpAsync());
    }

    private static void AssertProblem(Reply reply, HttpStatusCode status, string? detail = null, string? because = null)
    {
        Assert.True(reply.Status == status, $"{because}: expected {(int)status}, got {(int)reply.Status}: {reply.Text}");
        Assert.Equal("application/problem+json", reply.MediaType);
        var problem = JsonDocument.Parse(reply.Body).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (detail is not null)
        {
            Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    // Exactly the target given: Uri would otherwise unescape %2E and remove "." and ".." segments.
    private Uri Target(string pathAndQuery) =>
        new($"http://{Node.Ip}:8080{pathAndQuery}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    private async Task<Reply> SendAsync(HttpMethod method, string target, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, Target(target)) { Content = content };
        return await SendAsync(request);
    }

    private async Task<Reply> SendAsync(HttpRequestMessage request, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Timeout);
        using var response = await Node.Http.SendAsync(request, deadline.Token);
        byte[] body = await response.Content.ReadAsByteArrayAsync(deadline.Token);
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response.Headers.ETag?.ToString());
    }

    /// <summary>Sends a request with <paramref name="headers"/> and, for a body, <paramref name="text"/>.</summary>
    private async Task<Reply> SendWithHeadersAsync(HttpMethod method, string target, string? text = null, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, Target(target)) { Content = text is null ? null : new ByteArrayContent(U(text)) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await SendAsync(request);
    }

    private static ByteArrayContent Content(string body) => new(U(body));

    private Task<Reply> SetAsync(string body, string? contentType = "application/json") => SetAsync(U(body), contentType);

    private Task<Reply> SetAsync(byte[] body, string? contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return SendAsync(HttpMethod.Post, "/set", content);
    }

    private Task<Reply> PutAsync(string key, byte[] value) =>
        SendAsync(HttpMethod.Put, "/cache/" + Uri.EscapeDataString(key), new ByteArrayContent(value));

    /// <summary>The value <c>GET /get</c> returns as a string, or <see langword="null"/> for <c>{"value": null}</c>.</summary>
    private async Task<string?> GetStringAsync(string key, bool encoded = false)
    {
        var reply = await SendAsync(HttpMethod.Get, "/get/" + (encoded ? key : Uri.EscapeDataString(key)));
        Assert.True(reply.Status == HttpStatusCode.OK, $"{(int)reply.Status}: {reply.Text}");
        return JsonDocument.Parse(reply.Body).RootElement.GetProperty("value").GetString();
    }

    /// <summary>This node's entries, each value as the raw JSON text the dump gave.</summary>
    private async Task<Dictionary<string, string>> DumpAsync()
    {
        var reply = await SendAsync(HttpMethod.Get, "/dump-content");
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        return JsonDocument.Parse(reply.Body).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText());
    }

    private static string Encode(string key, KeyEncoding encoding) => encoding switch
    {
        KeyEncoding.Escaped => Uri.EscapeDataString(key),
        KeyEncoding.LiteralSlashes => string.Join('/', key.Split('/').Select(Uri.EscapeDataString)),
        _ => string.Concat(Encoding.UTF8.GetBytes(key).Select(b => $"%{b:X2}")),
    };

    private static ByteArrayContent? Body(string method) =>
        method is "POST" or "PUT" or "PATCH" ? new ByteArrayContent(U("""{"key":"victim","value":"changed"}""")) : null;

    private static string Json<T>(T value, bool escapeAsAscii = false) =>
        JsonSerializer.Serialize(value, escapeAsAscii ? AsciiJson : Utf8Json);

    private static byte[] U(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly JsonSerializerOptions Utf8Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions AsciiJson = new() { Encoder = JavaScriptEncoder.Default };
}
