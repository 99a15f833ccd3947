using Microsoft.Extensions.Time.Testing;
using OrleansCache.Membership;

namespace OrleansCache.Tests.Unit;

public sealed class MembershipAuthenticationTests
{
    private const string Secret = "a-cluster-secret-of-32-characters";
    private static readonly byte[] Body = "a membership message"u8.ToArray();

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-02T12:00:00Z"));

    [Fact]
    public void SignedRequest_IsAccepted_ThenRefusedAsAReplay_WhenSentAgain()
    {
        var sender = new MembershipAuthentication(Secret, _time);
        var receiver = new MembershipAuthentication(Secret, _time);
        var proof = sender.SignRequest("gossip", "1", Body)!;

        Assert.Null(Check(receiver, "gossip", proof, Body));
        Assert.Contains("replay", Check(receiver, "gossip", proof, Body));
    }

    [Fact]
    public void Request_IsRefused_WhenSignedWithAnotherSecret()
    {
        var proof = new MembershipAuthentication("another-secret-of-enough-length", _time).SignRequest("gossip", "1", Body)!;

        Assert.Contains("CLUSTER_SECRET", Check(new MembershipAuthentication(Secret, _time), "gossip", proof, Body));
    }

    [Fact]
    public void Request_IsRefused_WhenItsBodyRouteOrSenderWasChanged()
    {
        var sender = new MembershipAuthentication(Secret, _time);
        var receiver = new MembershipAuthentication(Secret, _time);
        var proof = sender.SignRequest("table", "1", Body)!;

        Assert.NotNull(Check(receiver, "table", proof, "another message"u8.ToArray()));
        Assert.NotNull(Check(receiver, "gossip", proof, Body));
        Assert.NotNull(Check(receiver, "table", proof with { NodeId = "2" }, Body));
        Assert.NotNull(Check(receiver, "table", proof with { SentAt = proof.SentAt + 1 }, Body));

        // None of those counted as seen: the untouched message is still accepted once.
        Assert.Null(Check(receiver, "table", proof, Body));
    }

    [Fact]
    public void Request_IsRefused_WhenItCarriesNoProof()
    {
        var receiver = new MembershipAuthentication(Secret, _time);

        Assert.Contains("no proof", receiver.CheckRequest("gossip", null, null, null, Body));
        Assert.Contains("malformed", receiver.CheckRequest("gossip", "1", "yesterday", "c2ln", Body));
        Assert.Contains("CLUSTER_SECRET", receiver.CheckRequest("gossip", "1", "0", "not base64!", Body));
    }

    [Fact]
    public void Request_IsRefused_WhenSentOutsideTheWindow_EitherWay()
    {
        var sender = new MembershipAuthentication(Secret, _time);
        var receiver = new MembershipAuthentication(Secret, _time);
        var old = sender.SignRequest("gossip", "1", Body)!;
        _time.Advance(MembershipAuthentication.Window + TimeSpan.FromSeconds(1));
        Assert.Contains("clocks", Check(receiver, "gossip", old, Body));

        var fromTheFuture = new MembershipAuthentication(Secret, new FakeTimeProvider(_time.GetUtcNow() + TimeSpan.FromMinutes(2)))
            .SignRequest("gossip", "1", Body)!;
        Assert.Contains("clocks", Check(receiver, "gossip", fromTheFuture, Body));

        // Within the window, a message from a node whose clock is a little ahead is fine.
        var ahead = new MembershipAuthentication(Secret, new FakeTimeProvider(_time.GetUtcNow() + TimeSpan.FromSeconds(30)))
            .SignRequest("gossip", "1", Body)!;
        Assert.Null(Check(receiver, "gossip", ahead, Body));
    }

    [Fact]
    public void Reply_ProvesTheSecret_OnlyForTheRequestItAnswers()
    {
        var node = new MembershipAuthentication(Secret, _time);
        var first = node.SignRequest("gossip", "1", Body)!;
        var second = node.SignRequest("gossip", "1", "another"u8.ToArray())!;
        var reply = "the reply"u8.ToArray();
        var signature = node.SignReply(first.Signature, reply);

        Assert.True(node.CheckReply(first.Signature, signature, reply));
        Assert.False(node.CheckReply(second.Signature, signature, reply));
        Assert.False(node.CheckReply(first.Signature, signature, "another reply"u8.ToArray()));
        Assert.False(node.CheckReply(first.Signature, null, reply));
        Assert.False(node.CheckReply(first.Signature, new MembershipAuthentication("another-secret-of-enough-length", _time).SignReply(first.Signature, reply), reply));
    }

    [Fact]
    public void WithoutASecret_NothingIsSigned_AndEverythingIsAccepted()
    {
        var open = new MembershipAuthentication(null, _time);

        Assert.False(open.IsEnabled);
        Assert.Null(open.SignRequest("gossip", "1", Body));
        Assert.Null(open.CheckRequest("gossip", null, null, null, Body));
        Assert.Null(open.SignReply("anything", Body));
        Assert.True(open.CheckReply(null, null, Body));
    }

    private static string? Check(MembershipAuthentication receiver, string route, RequestProof proof, byte[] body) =>
        receiver.CheckRequest(route, proof.NodeId, proof.SentAt.ToString(System.Globalization.CultureInfo.InvariantCulture), proof.Signature, body);
}
