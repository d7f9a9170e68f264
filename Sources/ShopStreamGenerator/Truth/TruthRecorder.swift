import Foundation
import ShopStreamCore

/// A sink around another sink that keeps the ground truth of what it published.
///
/// Every event goes to `inner` first; once `inner` has taken it (returned
/// without throwing, even `false` to ask for a stop) the recorder decodes the
/// event's JSON and counts it. So the truth covers exactly what was accepted,
/// also when a run stops early:
///
///     var recorder = TruthRecorder(wrapping: sink)
///     try simulator.run(days: 14, into: &recorder)
///     try recorder.truth(of: simulator).write(to: url)
///     sink = recorder.inner   // the wrapped sink, with its own results
///
/// Wrap only when a truth is wanted: decoding costs far more than generating.
public struct TruthRecorder<Inner: EventSink>: EventSink {
    /// The wrapped sink.
    public var inner: Inner
    private var tally = TruthTally()

    public init(wrapping inner: Inner) {
        self.inner = inner
    }

    /// Events counted so far, per entity.
    public var events: GroundTruth.EventCounts { tally.events }

    /// Hands the event to `inner`, then counts it if `inner` took it. Throws
    /// what `inner` throws, or a `GroundTruthError` if the accepted event
    /// lacks a field the truth needs (the event has been published then).
    public mutating func emit(
        _ entity: Entity, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, timestampMs: Int64
    ) throws -> Bool {
        let more = try inner.emit(entity, key: key, value: value, timestampMs: timestampMs)
        try tally.add(entity, key: key, value: value)
        return more
    }

    /// The truth of every event accepted so far, for a run of `days` full days.
    public func truth(seed: UInt64, startDate: SimDate, days: Int) -> GroundTruth {
        tally.truth(seed: seed, startDate: startDate.description, days: days)
    }

    /// The truth of every event accepted so far from `simulator`, with its
    /// seed, first day and days fully simulated.
    public func truth(of simulator: Simulator) -> GroundTruth {
        truth(seed: simulator.config.seed, startDate: simulator.config.startDate, days: simulator.stats.days)
    }
}
