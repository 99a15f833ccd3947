using System.Collections.Concurrent;
using OrleansCache.Grains.Interfaces;

namespace OrleansCache.Grains.Batching;

/// <summary>
/// One channel per target node, whose items travel together: those that arrive while the channel's previous
/// message to its node is on the way go in the next one, instead of one message each.
/// </summary>
/// <remarks>
/// Nothing waits to fill a batch: an idle channel sends at once, so a lone item costs one message, as it would
/// alone. Under load, items that arrive during a round trip share the next message. At most one message per
/// target is in flight; a message stops growing at 4 MiB of payload or <see cref="MaxBatchItems"/> items.
/// </remarks>
/// <typeparam name="TItem">What is carried.</typeparam>
/// <typeparam name="TResult">What each item is answered with.</typeparam>
public abstract class NodeChannels<TItem, TResult>(IGrainFactory grains)
{
    // A message stops growing past this many value bytes (values are up to MAX_VALUE_BYTES, 1 MiB by default),
    // so one batch cannot become a message Orleans refuses or one that holds up every other item for long.
    private const long MaxBatchBytes = 4 << 20;

    private readonly IGrainFactory _grains = grains;
    private readonly ConcurrentDictionary<string, Channel> _channels = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="item"/> for <paramref name="node"/> and returns its answer once it comes.</summary>
    /// <param name="node">The target's <c>NODE_ID</c>.</param>
    /// <param name="item">What to carry.</param>
    /// <param name="bytes">Its payload's size, which bounds a batch.</param>
    /// <returns>The item's answer; its failure, or the whole message's, as an exception.</returns>
    protected Task<TResult> SendAsync(string node, TItem item, long bytes) =>
        _channels.GetOrAdd(node, static (name, self) => new Channel(self, self._grains.GetGrain<INodeGrain>(name)), this)
            .Send(new Pending(item, bytes));

    /// <summary>Most items one message carries (at least one): bounds what an answer may hold.</summary>
    protected virtual int MaxBatchItems => int.MaxValue;

    /// <summary>Carries one batch to <paramref name="target"/> in one call.</summary>
    /// <returns>Each item's answer, in the order of <paramref name="items"/>.</returns>
    protected abstract Task<Answer[]> CarryAsync(INodeGrain target, TItem[] items);

    /// <summary>Turns a batch call's results into answers, one each.</summary>
    protected static Answer[] AnswersOf<T>(T[] results, Func<T, Answer> answer)
    {
        var answers = new Answer[results.Length];
        for (int i = 0; i < answers.Length; i++)
        {
            answers[i] = answer(results[i]);
        }

        return answers;
    }

    /// <summary>One item's answer in a batch: its result, or what it failed with.</summary>
    protected readonly record struct Answer(TResult Result, Exception? Failure);

    private sealed class Pending(TItem item, long bytes)
    {
        public TItem Item { get; } = item;

        public long Bytes { get; } = bytes;

        public TaskCompletionSource<TResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Channel(NodeChannels<TItem, TResult> owner, INodeGrain target)
    {
        private readonly Lock _lock = new();
        private List<Pending> _queued = [];
        private bool _sending;

        public Task<TResult> Send(Pending pending)
        {
            bool start;
            lock (_lock)
            {
                _queued.Add(pending);
                start = !_sending;
                _sending = true;
            }

            if (start)
            {
                _ = Task.Run(SendQueuedAsync);
            }

            return pending.Result.Task;
        }

        private async Task SendQueuedAsync()
        {
            while (TakeBatch() is { } batch)
            {
                var items = new TItem[batch.Count];
                for (int i = 0; i < items.Length; i++)
                {
                    items[i] = batch[i].Item;
                }

                Answer[] answers;
                try
                {
                    answers = await owner.CarryAsync(target, items);
                }
                catch (Exception exception)
                {
                    foreach (var pending in batch)
                    {
                        pending.Result.TrySetException(exception);
                    }

                    continue;
                }

                for (int i = 0; i < batch.Count; i++)
                {
                    if (answers[i].Failure is { } failure)
                    {
                        batch[i].Result.TrySetException(failure);
                    }
                    else
                    {
                        batch[i].Result.TrySetResult(answers[i].Result);
                    }
                }
            }
        }

        // The queued items up to the batch limit (at least one), or null when none are left and the channel idles.
        private List<Pending>? TakeBatch()
        {
            lock (_lock)
            {
                if (_queued.Count == 0)
                {
                    _sending = false;
                    return null;
                }

                long bytes = 0;
                int count = 0;
                int limit = Math.Min(_queued.Count, Math.Max(1, owner.MaxBatchItems));
                while (count < limit && (count == 0 || bytes + _queued[count].Bytes <= MaxBatchBytes))
                {
                    bytes += _queued[count].Bytes;
                    count++;
                }

                if (count == _queued.Count)
                {
                    var all = _queued;
                    _queued = [];
                    return all;
                }

                var batch = _queued.GetRange(0, count);
                _queued.RemoveRange(0, count);
                return batch;
            }
        }
    }
}
