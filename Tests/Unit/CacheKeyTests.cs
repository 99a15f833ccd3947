using System.Buffers;
using System.Text;
using OrleansCache.ClientLibrary;
using OrleansCache.Grains.Interfaces;
using OrleansCache.Grains.Interfaces.Routing;

namespace OrleansCache.Tests.Unit;

public sealed class CacheKeyTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("with/slash and space")]
    [InlineData("clé/日本 😀")]
    public void TryCreate_AcceptsText_AndItsUtf8Bytes_WithTheSameKeyAndSlot(string text)
    {
        Assert.True(CacheKey.TryCreate(text, out var fromText, out var textProblem));
        Assert.True(CacheKey.TryCreate(Encoding.UTF8.GetBytes(text), out var fromBytes, out var bytesProblem));

        Assert.Null(textProblem);
        Assert.Null(bytesProblem);
        Assert.Equal(text, fromText.Value);
        Assert.Equal(fromText, fromBytes);
        Assert.Equal(KeyHasher.GetSlot(text), fromText.Slot);
        Assert.Equal(KeyHasher.GetSlot(text), fromBytes.Slot);
    }

    [Fact]
    public void TryCreate_CountsUtf8BytesNotCharacters()
    {
        Assert.True(CacheKey.TryCreate(new string('é', 512), out _, out _)); // 1024 bytes

        Assert.False(CacheKey.TryCreate(new string('é', 512) + "x", out _, out var problem));
        Assert.Equal("The key is 1025 bytes of UTF-8; the limit is 1024.", problem);
    }

    [Fact]
    public void TryCreate_RefusesTextAndBytes_InTheSameWords()
    {
        var cases = new (string? Text, byte[] Bytes, string Problem)[]
        {
            ("", [], CacheProblems.EmptyKey),
            (null, [], CacheProblems.EmptyKey),
            (new string('k', 1025), new byte[1025], CacheProblems.KeyTooLong(1025)),
            (new string('k', 3000), new byte[3000], CacheProblems.KeyTooLong(3000)),
            ("ab\ud800", [(byte)'a', (byte)'b', 0xED, 0xA0, 0x80], CacheProblems.KeyNotUtf8),
        };

        foreach (var (text, bytes, expected) in cases)
        {
            Assert.False(CacheKey.TryCreate(text, out var fromText, out var textProblem));
            Assert.False(CacheKey.TryCreate(bytes, out var fromBytes, out var bytesProblem));
            Assert.Equal(expected, textProblem);
            Assert.Equal(expected, bytesProblem);
            Assert.Equal(default, fromText);
            Assert.Equal(default, fromBytes);
        }
    }

    [Fact]
    public void TryCreate_ReadsAKeySplitAcrossBuffers_AsOneKey()
    {
        var first = new Segment("clé/"u8.ToArray());
        var last = first.Append("日本"u8.ToArray());
        var split = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);

        Assert.True(CacheKey.TryCreate(split, out var key, out _));
        Assert.Equal("clé/日本", key.Value);
        Assert.Equal(KeyHasher.GetSlot("clé/日本"), key.Slot);
    }

    [Fact]
    public void Create_ThrowsInvalidKey_WithTheProblem()
    {
        var error = Assert.Throws<CacheArgumentException>(() => CacheKey.Create(""));

        Assert.Equal(CacheArgumentError.InvalidKey, error.Error);
        Assert.Equal(CacheProblems.EmptyKey, error.Message);
    }

    [Fact]
    public void Default_HoldsNoKey_SoItCannotReachABucket()
    {
        CacheKey none = default;

        Assert.Throws<InvalidOperationException>(() => none.Value);
        Assert.Throws<InvalidOperationException>(() => none.Slot);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] bytes) => Memory = bytes;

        public Segment Append(byte[] bytes)
        {
            var next = new Segment(bytes) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
