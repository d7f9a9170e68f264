import Logging
import ShopStreamBus
import ShopStreamCore

/// `--idle-exit`: a run ends once nothing has arrived for the idle time and the whole group has read
/// its topics to the end. Idle alone is not enough: a member that died without leaving the group
/// keeps its partitions until its session ends, and a run that stopped on idle before they were
/// handed over would leave their messages unread (a sink restarted right after a crash did).
struct IdleExit {
    let idle: Duration
    /// Nothing counts as idle before this is raised (Kafka: a sink started beside the generator).
    let after: Latch?
    private var lastGroupCheck: ContinuousClock.Instant?
    private var lastSaid: ContinuousClock.Instant?

    init(_ idle: Duration, after: Latch? = nil) {
        self.idle = idle
        self.after = after
    }

    /// Whether the run may end now; asks the broker at most once a second, and says every ten
    /// seconds what the group still has to read.
    mutating func isDue(lastActivity: ContinuousClock.Instant, consumer: Consumer, logger: Logger) -> Bool {
        let now = ContinuousClock.now
        guard now - lastActivity >= idle, after?.isRaised ?? true else { return false }
        // A short idle (a run's) asks again as often, a long one once a second.
        if let last = lastGroupCheck, now - last < min(idle, .seconds(1)) { return false }
        lastGroupCheck = now
        let said = lastSaid.map { now - $0 >= .seconds(10) } ?? true
        do {
            let left = try consumer.groupBacklog()
            if left.isEmpty { return true }
            if said {
                lastSaid = now
                let held = consumer.assignment
                let mine = left.filter { held.contains($0.key) }.count
                logger.info(
                    "idle, but the group has not read everything yet: waiting (a member that died holds its partitions until its session ends)",
                    metadata: [
                        "partitions_behind": "\(left.count)", "held_here": "\(mine)", "messages_left": "\(left.values.reduce(0, +))",
                        "first": "\(left.keys.sorted().first.map { "\($0)" } ?? "")",
                    ])
            }
        } catch {
            if said {
                lastSaid = now
                logger.warning("idle, but could not ask the broker what the group has left; waiting", metadata: ["error": "\(error)"])
            }
        }
        return false
    }
}
