//! Limits against abuse and accidents: submission rates per connection, connections per IP,
//! session creation and facilitator-key attempts per IP.
//!
//! Token buckets come from `governor`; the per-IP connection count is a map of counters with
//! a guard that gives the slot back however the connection ends.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use dashmap::DashMap;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::metrics::{Limited, Metrics};
use crate::protocol::Role;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// A participant may burst this many submissions (a list typed offline, sent on reconnect).
pub const PARTICIPANT_BURST: u32 = 20;
/// …and then keep up this many per second: far above a person, far below a script.
pub const PARTICIPANT_PER_SEC: u32 = 5;
/// The facilitator works faster (imports, merges, moderation sprees).
pub const STAFF_BURST: u32 = 100;
/// …per second, sustained.
pub const STAFF_PER_SEC: u32 = 20;
/// Session creations one IP may burst (a whole day's sessions prepared at once).
pub const CREATE_BURST: u32 = 10;
/// Facilitator-key checks (hellos and exports) one IP may burst before waiting.
pub const KEY_BURST: u32 = 30;

/// Lookups of unknown session names one IP may burst (mistyped names, a stale bookmark).
pub const LOOKUP_BURST: u32 = 20;
/// …and then this many per second: a person retyping a name never waits, while guessing
/// names costs days (docs/operations.md, "Guessing cost"). Known sessions are never counted.
pub const LOOKUP_PER_SEC: u32 = 2;

/// How long a connection may be silent before it is closed (pinged every 20 s meanwhile).
pub const DEFAULT_IDLE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Shared, per-IP limits.
pub struct Limits {
    /// A participant connection's commands per second, sustained.
    pub participant_per_sec: u32,
    /// …and its burst.
    pub participant_burst: u32,
    /// A connection silent this long (not even a pong) is closed; it is pinged every third
    /// of it. Browsers answer pings by themselves.
    pub idle_timeout: std::time::Duration,
    /// Most concurrent websocket connections from one IP (a whole conference may sit behind
    /// one NAT address, so the default is high).
    pub max_connections_per_ip: usize,
    connections: DashMap<IpAddr, usize>,
    creates: DefaultKeyedRateLimiter<IpAddr>,
    key_checks: DefaultKeyedRateLimiter<IpAddr>,
    lookups: DefaultKeyedRateLimiter<IpAddr>,
    /// Where each refusal is counted (`paja_rate_limited_total`).
    metrics: Arc<Metrics>,
}

impl Limits {
    /// Limits with `max_connections_per_ip` and the default rate and idle timeout.
    pub fn new(max_connections_per_ip: usize) -> Arc<Self> {
        Self::with_rate(
            max_connections_per_ip,
            PARTICIPANT_PER_SEC,
            PARTICIPANT_BURST,
            DEFAULT_IDLE_TIMEOUT,
            Arc::default(),
        )
    }

    /// Limits with a participant rate of `per_sec` sustained and `burst` at once, and
    /// connections closed after `idle_timeout` of silence; refusals counted in `metrics`.
    pub fn with_rate(
        max_connections_per_ip: usize,
        per_sec: u32,
        burst: u32,
        idle_timeout: std::time::Duration,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        Arc::new(Self {
            participant_per_sec: per_sec,
            participant_burst: burst,
            idle_timeout,
            max_connections_per_ip,
            connections: DashMap::new(),
            // 10 at once, then one a minute.
            creates: RateLimiter::keyed(Quota::per_minute(nz(1)).allow_burst(nz(CREATE_BURST))),
            // 30 at once, then one every two seconds: nothing a facilitator notices, hopeless
            // for guessing a 192-bit key.
            key_checks: RateLimiter::keyed(Quota::per_minute(nz(30)).allow_burst(nz(KEY_BURST))),
            lookups: RateLimiter::keyed(
                Quota::per_second(nz(LOOKUP_PER_SEC)).allow_burst(nz(LOOKUP_BURST)),
            ),
            metrics,
        })
    }

    /// A token bucket for one connection's commands.
    pub fn connection_limiter(&self, staff: bool) -> DefaultDirectRateLimiter {
        let quota = if staff {
            Quota::per_second(nz(STAFF_PER_SEC)).allow_burst(nz(STAFF_BURST))
        } else {
            Quota::per_second(nz(self.participant_per_sec)).allow_burst(nz(self.participant_burst))
        };
        RateLimiter::direct(quota)
    }

    /// Takes a connection slot for `ip`, or `None` when it has too many.
    pub fn connect(self: &Arc<Self>, ip: IpAddr) -> Option<ConnectionSlot> {
        let mut count = self.connections.entry(ip).or_insert(0);
        if *count >= self.max_connections_per_ip {
            self.metrics.rate_limited(Limited::Connections);
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            limits: self.clone(),
            ip,
            role: None,
        })
    }

    /// Whether `ip` may create another session now.
    pub fn may_create(&self, ip: IpAddr) -> bool {
        self.allowed(self.creates.check_key(&ip).is_ok(), Limited::Create)
    }

    /// Whether `ip` may try a facilitator key now.
    pub fn may_check_key(&self, ip: IpAddr) -> bool {
        self.allowed(self.key_checks.check_key(&ip).is_ok(), Limited::Key)
    }

    /// `allowed`, counting a refusal as `what`.
    fn allowed(&self, allowed: bool, what: Limited) -> bool {
        if !allowed {
            self.metrics.rate_limited(what);
        }
        allowed
    }

    /// Counts a lookup of an unknown session name by `ip`: `Err` with the whole seconds to
    /// wait (at least 1) when it has used its burst.
    pub fn may_look_up(&self, ip: IpAddr) -> Result<(), u64> {
        use governor::clock::Clock as _;
        self.lookups
            .check_key(&per_network(ip))
            .map_err(|not_until| {
                self.metrics.rate_limited(Limited::Lookup);
                let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
                (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
            })
    }

    /// Where refusals (and connections, through their slots) are counted.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Forgets idle per-IP buckets (called now and then so the maps do not grow forever).
    pub fn tidy(&self) {
        self.creates.retain_recent();
        self.key_checks.retain_recent();
        self.lookups.retain_recent();
        self.connections.retain(|_, n| *n > 0);
    }
}

/// The key a lookup counts against: an IPv4 address, or an IPv6 address's /64 (one host
/// commonly has a whole /64, so per-address buckets would give it 2^64 budgets).
fn per_network(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::from(segments)
        }
        other => other,
    }
}

/// Holds one of an IP's connection slots until dropped.
pub struct ConnectionSlot {
    limits: Arc<Limits>,
    ip: IpAddr,
    /// The role it is counted as in `paja_connections` (set once its hello is accepted).
    role: Option<Role>,
}

impl ConnectionSlot {
    /// The address the slot counts against.
    pub fn ip(&self) -> IpAddr {
        self.ip
    }

    /// Counts the connection as open in `role` until the slot drops (once; later calls
    /// change nothing). Kept here, in a guard every connection holds anyway, so counting
    /// adds nothing to an idle phone's memory.
    pub fn count_as(&mut self, role: Role) {
        if self.role.is_none() {
            self.limits.metrics.connection_opened(role);
            self.role = Some(role);
        }
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if let Some(role) = self.role {
            self.limits.metrics.connection_closed(role);
        }
        if let Some(mut n) = self.limits.connections.get_mut(&self.ip) {
            *n = n.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_slots_are_counted_and_given_back() {
        let limits = Limits::new(2);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = limits.connect(ip).unwrap();
        let _b = limits.connect(ip).unwrap();
        assert!(limits.connect(ip).is_none());
        assert!(limits.connect("10.0.0.2".parse().unwrap()).is_some());
        drop(a);
        assert!(limits.connect(ip).is_some());
    }

    #[test]
    fn participant_bucket_allows_a_burst_of_20_then_throttles() {
        let limiter = Limits::new(1).connection_limiter(false);
        for _ in 0..PARTICIPANT_BURST {
            assert!(limiter.check().is_ok());
        }
        assert!(limiter.check().is_err());
    }

    #[test]
    fn creation_and_key_checks_are_limited_per_ip() {
        let limits = Limits::new(10);
        let ip: IpAddr = "10.0.0.3".parse().unwrap();
        for _ in 0..CREATE_BURST {
            assert!(limits.may_create(ip));
        }
        assert!(!limits.may_create(ip));
        assert!(limits.may_create("10.0.0.4".parse().unwrap()));
        for _ in 0..KEY_BURST {
            assert!(limits.may_check_key(ip));
        }
        assert!(!limits.may_check_key(ip));
    }

    #[test]
    fn unknown_lookups_burst_then_wait_at_least_a_second() {
        let limits = Limits::new(10);
        let ip: IpAddr = "10.0.0.5".parse().unwrap();
        for _ in 0..LOOKUP_BURST {
            assert_eq!(limits.may_look_up(ip), Ok(()));
        }
        let wait = limits.may_look_up(ip).unwrap_err();
        assert!((1..=1).contains(&wait), "{wait}");
        assert_eq!(limits.may_look_up("10.0.0.6".parse().unwrap()), Ok(()));
    }

    #[test]
    fn an_ipv6_network_shares_one_lookup_budget() {
        let limits = Limits::new(10);
        for i in 0..LOOKUP_BURST {
            let ip: IpAddr = format!("2001:db8:1:2::{:x}", i + 1).parse().unwrap();
            assert_eq!(limits.may_look_up(ip), Ok(()));
        }
        assert!(limits
            .may_look_up("2001:db8:1:2:ffff::9".parse().unwrap())
            .is_err());
        assert_eq!(
            limits.may_look_up("2001:db8:1:3::1".parse().unwrap()),
            Ok(())
        );
    }
}
