import ShopStreamCore

/// A deterministic simulation of the retailer that emits its events, in
/// publication order, into any `EventSink`.
///
/// The first day starts with the dimensions (stores, products, customers, the
/// stock of every store×product); each day then carries product launches and
/// price changes, sign-ups, sales with their payments, shipment outcomes with
/// their settlements or refunds, customer tier upgrades, and an end-of-day
/// inventory snapshot of every store×product whose stock moved. Every event
/// refers only to ids published before it.
///
/// The same `SimulationConfig` always gives the byte-identical event sequence:
/// one seeded xoshiro256** generator, integer arithmetic for every number
/// written, no clock, no `Dictionary` order.
///
/// With `config.live` (see `LiveClock`) the days from the live day on follow the wall
/// clock, and their events come out in time order: a publisher holds each one until
/// its time. The simulator itself never reads a clock: the start instant is in the config.
public final class Simulator {
    public let config: SimulationConfig
    private var engine: SimulationEngine
    private var stopped = false
    /// A live day's events not yet handed on: the engine may still write earlier ones.
    private var held = TimeOrderedEvents()

    /// Precondition: `config.validate()` does not throw.
    public init(config: SimulationConfig = SimulationConfig()) {
        do { try config.validate() } catch { preconditionFailure(error.description) }
        self.config = config
        engine = SimulationEngine(config: config)
    }

    /// The next day to be simulated.
    public var currentDate: SimDate { SimDate(daysSinceEpoch: engine.today) }

    /// Totals so far; `eventsByEntity` counts what sinks accepted.
    public var stats: SimulationStats { engine.stats }

    /// Emits the next simulated day. Returns false if the sink asked to stop;
    /// the simulation then stays stopped (a day is never resumed half-way) and
    /// every later call returns false at once.
    ///
    /// A sink that throws stops the simulation too; the event it threw on, and any not
    /// yet handed to it, count as not accepted.
    public func emitNextDay(into sink: inout some EventSink) throws -> Bool {
        guard !stopped else { return false }
        engine.beginDay()
        var more = true
        while more {
            more = engine.produceChunk()
            let accepted: [Int], sinkStopped: Bool
            do {
                if engine.isLive {
                    held.take(engine.out)
                    engine.out.reset()
                    (accepted, sinkStopped) = try held.release(upTo: engine.producesNothingBeforeMs, into: &sink)
                } else {
                    // A read access only, so a sink may look at `stats` while it is called.
                    (accepted, sinkStopped) = try engine.out.drain(into: &sink)
                    engine.out.reset()
                }
            } catch {
                stopped = true
                throw error
            }
            engine.recordAccepted(accepted)
            if sinkStopped {
                stopped = true
                return false
            }
        }
        engine.endDay()
        return true
    }

    /// Whether the next day to be simulated is a live day.
    public var isLive: Bool { engine.today >= engine.liveDay }

    /// Emits `days` days (or days without end when nil) until the sink asks to
    /// stop. Returns false if it stopped because the sink asked.
    @discardableResult
    public func run(days: Int?, into sink: inout some EventSink) throws -> Bool {
        var done = 0
        while days.map({ done < $0 }) ?? true {
            guard try emitNextDay(into: &sink) else { return false }
            done += 1
        }
        return true
    }
}

extension SimulationEngine {
    mutating func recordAccepted(_ accepted: [Int]) {
        for i in accepted.indices { stats.eventsByEntity[i] += accepted[i] }
    }
}
